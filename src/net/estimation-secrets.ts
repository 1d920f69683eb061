// Where this device keeps its own votes until it reveals them: the value, its salt and the
// commitment it published. They never go into the session's document or awareness before the
// reveal, and they must survive a reload mid-round (the commitment in the document can only be
// opened with them). Two implementations side by side: the app's settings store (IndexedDB), and
// memory for tests.
//
// Record key: `estimate-vote:<economy id>:<session id>` → SecretVote[] (one per session round).
import type { VoteValue } from '../core/vote-commitment';
import type { SettingsStore } from './settings-store';
import type { ThreePoint } from './estimation-wire';

export interface SecretVote {
  /** Session round (the map key's n). */
  round: number;
  value: VoteValue;
  salt: string;
  commitment: string;
  threePoint?: ThreePoint;
}

export interface EstimationSecrets {
  list(economyId: string, sessionId: string): Promise<SecretVote[]>;
  /** Rejects with a sentence when the vote could not be kept (then it must not be published). */
  put(economyId: string, sessionId: string, vote: SecretVote): Promise<void>;
}

const keyOf = (economyId: string, sessionId: string) => `estimate-vote:${economyId}:${sessionId}`;

function isSecretVote(x: unknown): x is SecretVote {
  if (typeof x !== 'object' || x === null) return false;
  const v = x as Record<string, unknown>;
  return Number.isSafeInteger(v.round) && typeof v.salt === 'string' && typeof v.commitment === 'string'
    && (typeof v.value === 'number' || v.value === '?' || v.value === 'coffee');
}

/** Votes kept in the settings store (one record per session; a session has few rounds). */
export function createStoredSecrets(store: SettingsStore): EstimationSecrets {
  // One write at a time, so two quick votes in two rounds cannot overwrite each other's record.
  let queue: Promise<unknown> = Promise.resolve();
  const list = async (economyId: string, sessionId: string) => {
    const raw = await store.read(keyOf(economyId, sessionId));
    return Array.isArray(raw) ? raw.filter(isSecretVote) : [];
  };
  return {
    list,
    put(economyId, sessionId, vote) {
      const next = queue.then(async () => {
        const others = (await list(economyId, sessionId)).filter((v) => v.round !== vote.round);
        await store.write(keyOf(economyId, sessionId), [...others, vote]);
      });
      queue = next.catch(() => undefined);
      return next;
    },
  };
}

export function createMemorySecrets(): EstimationSecrets {
  const votes = new Map<string, SecretVote[]>();
  return {
    async list(economyId, sessionId) {
      return structuredClone(votes.get(keyOf(economyId, sessionId)) ?? []);
    },
    async put(economyId, sessionId, vote) {
      const key = keyOf(economyId, sessionId);
      votes.set(key, [...(votes.get(key) ?? []).filter((v) => v.round !== vote.round), structuredClone(vote)]);
    },
  };
}
