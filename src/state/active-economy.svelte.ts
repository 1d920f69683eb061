// The open economy as the UI sees it: balances, history, members, presence, forks, diagnostics,
// connection status, and what a person can do (send hours). Everything is read live from the
// session through one createSubscriber, never copied into state that could go stale.
import { createSubscriber } from 'svelte/reactivity';
import { checkEconomySettings, presentBalanceCH, type Currency, type EconomySettingsBody, type ForkProof, type HistoryItem, type TaskRecord, type TransferCheck, type TransferInput } from '../core';
import type { EconomySession, SendResult } from '../net/economy-session';
import type { Diagnostic } from '../net/ledger-sync';
import type { Presence } from '../net/presence';
import { decodeLedgerFile, encodeLedgerFile } from '../net/ledger-file';
import { newIncoming } from './history-view';

export interface Member {
  account: string;
  name: string;
  colour: string;
  /** Name from a signed profile entry (true) or only claimed through presence (false). */
  signedName: boolean;
  online: boolean;
  balance: { MH: number; CH: number };
  /** How far below zero the member may go (the founder: the economy's limit; others: vouched). */
  credit: { MH: number; CH: number };
  /** The stake I hold on this member, and the one it holds on me (core/kind-vouch.ts). */
  stakeFromMe: { MH: number; CH: number };
  stakeOnMe: { MH: number; CH: number };
}

export type ConnectionState =
  | { kind: 'offline' }
  | { kind: 'signaling-down'; urls: string[] }
  | { kind: 'wrong-secret' }
  /** No other member known yet (a founder right after creating): normal, nothing is wrong. */
  | { kind: 'nobody-yet' }
  /** Other members exist but none is reachable yet, shortly after opening: still looking. */
  | { kind: 'searching'; since: number }
  /** Other members exist and none was reachable for ALONE_GRACE_MS: now a warning is likely useful. */
  | { kind: 'alone'; since: number }
  | { kind: 'connected'; peers: number };

/** How long being alone with known members is "still looking" before the warnings show. */
export const ALONE_GRACE_MS = 20_000;

/** One collator for sorting member names (constructing one per comparison is slow). */
const NAMES = new Intl.Collator();

export class ActiveEconomy {
  readonly session: EconomySession;
  #subscribe: () => void;
  /** The sync's progress only (the status line): ticks often during a late joiner's sync. */
  #subscribeProgress: () => void;
  #members: { ledger: object; key: string; list: Member[] } | null = null;
  #openedAt: number;
  #now: () => number;
  /** Whether this device can reach the network now (OnlineStatus): offline, nobody is online. */
  #reachable: () => boolean;
  /** My history's entry ids when this page opened the economy: what is older is no news. */
  #seenAtOpen: ReadonlySet<string>;
  /** What this page tells the room about itself (net/presence.ts): who, and whether it donates. */
  #who = { name: '', colour: '#1f6f5c' };
  #offer: { workers: number; speed?: number } | null = null;

  constructor(session: EconomySession, now: () => number, reachable: () => boolean = () => true) {
    this.session = session;
    this.#now = now;
    this.#reachable = reachable;
    this.#openedAt = now();
    this.#seenAtOpen = new Set(session.ledger.historyOf(session.me).map((i) => i.entryId));
    this.#subscribe = createSubscriber((update) => session.subscribe(update));
    this.#subscribeProgress = createSubscriber((update) => session.subscribeProgress(update));
  }

  get id() {
    return this.session.record.id;
  }
  get name() {
    return this.session.record.name;
  }
  get me() {
    return this.session.me;
  }
  get isFounder() {
    return this.session.me === this.session.record.founder;
  }

  get balance(): { MH: number; CH: number; chPresent: number } {
    this.#subscribe();
    const b = this.session.ledger.balanceOf(this.me);
    return { MH: b.MH, CH: b.CH, chPresent: presentBalanceCH(this.session.ledger.historyOf(this.me), this.#now()) };
  }

  /** The economy's credit limit (the founder's own; anyone else's credit is vouched, see myCredit). */
  get creditLimit(): { MH: number; CH: number } {
    this.#subscribe();
    return { MH: this.session.ledger.creditLimit('MH'), CH: this.session.ledger.creditLimit('CH') };
  }

  /** How far below zero I may go: the stakes members hold on me, capped by the economy's limit. */
  get myCredit(): { MH: number; CH: number } {
    this.#subscribe();
    return this.session.ledger.creditOf(this.me);
  }

  /** What I can still send or stake now (balance + credit − what I have staked on others). */
  get spendable(): { MH: number; CH: number } {
    this.#subscribe();
    return { MH: this.session.ledger.spendable(this.me, 'MH'), CH: this.session.ledger.spendable(this.me, 'CH') };
  }

  get historyCount(): number {
    this.#subscribe();
    return this.session.ledger.historyOf(this.me).length;
  }

  /** The newest `limit` entries of this person's history, newest first. */
  recentHistory(limit: number): HistoryItem[] {
    this.#subscribe();
    const all = this.session.ledger.historyOf(this.me);
    return all.slice(Math.max(0, all.length - limit)).reverse();
  }

  /** My whole history, oldest first (a copy: the ledger's own list changes in place). */
  get history(): HistoryItem[] {
    this.#subscribe();
    return [...this.session.ledger.historyOf(this.me)];
  }

  /** Payments to me applied since this page opened the economy, oldest first. */
  get incomingSinceOpen(): HistoryItem[] {
    this.#subscribe();
    return newIncoming(this.session.ledger.historyOf(this.me), this.#seenAtOpen);
  }

  /** An own entry written while no peer was reachable, not yet shared with anyone. */
  isUnshared(entryId: string): boolean {
    this.#subscribe();
    return this.session.isUnshared(entryId);
  }

  /** Sets the name and colour presence shows (on open and after a profile change). */
  present(name: string, colour: string): void {
    this.#who = { name, colour };
    this.#publishPresence();
  }

  /** What this tab donates (workers, speed per-mille) or null: presence says "donating" while set. */
  setDonorOffer(offer: { workers: number; speed?: number } | null): void {
    this.#offer = offer;
    this.#publishPresence();
  }

  #publishPresence(): void {
    const { name, colour } = this.#who;
    this.session.setPresence(this.#offer ? { name, colour, activity: 'donating', ...this.#offer } : { name, colour, activity: 'idle' });
  }

  /** Who is reachable now: nobody while this device is offline (a peer's last state would be stale). */
  get online(): Presence[] {
    this.#subscribe();
    return this.#reachable() ? this.session.online : [];
  }

  get verifying(): number {
    this.#subscribeProgress();
    return this.session.progress.verifying;
  }

  /** Entries of a peer's document that arrived and wait for the rest of it (it comes in slices). */
  get receiving(): number {
    this.#subscribeProgress();
    return this.session.progress.receiving;
  }

  /** Entries accepted from their author's signed head whose own signature is still to be checked. */
  get unverified(): number {
    this.#subscribeProgress();
    return this.session.progress.unverified;
  }

  /** The entry count as the sync's progress says it (between views; entryCount is the view's). */
  get progressCount(): number {
    this.#subscribeProgress();
    return this.session.progress.entryCount;
  }

  get entryCount(): number {
    this.#subscribe();
    return this.session.ledger.entryCount;
  }

  get supply(): { MH: number; CH: number } {
    this.#subscribe();
    return { MH: this.session.ledger.supply('MH'), CH: this.session.ledger.supply('CH') };
  }

  /** Everyone the ledger knows (any balance or profile) plus whoever is online now. */
  get members(): Member[] {
    this.#subscribe();
    const ledger = this.session.ledger;
    const online = new Map(this.online.map((p) => [p.account, p]));
    // Built once per ledger view and presence: a large economy has thousands of members, and
    // several parts of a screen ask for them on every render.
    const key = [...online.values()].map((p) => `${p.account}:${p.name}:${p.colour}:${p.activity}`).join('|');
    if (this.#members && this.#members.ledger === ledger && this.#members.key === key) return this.#members.list;
    const accounts = new Set<string>([...ledger.balances.keys(), ...ledger.profiles.keys(), ...online.keys(), this.me, this.session.record.founder]);
    const list = [...accounts].map((account) => {
      const profile = ledger.profileOf(account);
      const seen = online.get(account);
      const b = ledger.balanceOf(account);
      return {
        account,
        name: profile?.name ?? seen?.name ?? `${account.slice(0, 8)}…`,
        colour: profile?.colour ?? seen?.colour ?? '#888888',
        signedName: profile !== undefined,
        online: seen !== undefined || account === this.me,
        balance: { MH: b.MH, CH: b.CH },
        credit: ledger.creditOf(account),
        stakeFromMe: { ...ledger.stakeOf(this.me, account) },
        stakeOnMe: { ...ledger.stakeOf(account, this.me) },
      };
    }).sort((a, b) => NAMES.compare(a.name, b.name) || (a.account < b.account ? -1 : 1));
    this.#members = { ledger, key, list };
    return list;
  }

  /** Every task as replay derived it (core/task-state.ts); actions: state/tasks.svelte.ts. */
  get tasks(): ReadonlyMap<string, TaskRecord> {
    this.#subscribe();
    return this.session.ledger.tasks;
  }

  get forks(): readonly ForkProof[] {
    this.#subscribe();
    return this.session.ledger.forks;
  }

  get diagnostics(): readonly Diagnostic[] {
    this.#subscribe();
    return this.session.diagnostics;
  }

  /** `at` is passed by a view that re-asks as time passes (searching turns into alone). */
  connection(browserOnline: boolean, at: number = this.#now()): ConnectionState {
    this.#subscribe();
    if (!browserOnline) return { kind: 'offline' };
    const s = this.session.roomStatus;
    if (s.webrtcPeers > 0) return { kind: 'connected', peers: s.webrtcPeers };
    if (s.signaling.length > 0 && !s.signaling.some((x) => x.connected)) return { kind: 'signaling-down', urls: s.signaling.map((x) => x.url) };
    if (s.secretMismatch) return { kind: 'wrong-secret' };
    const me = this.me;
    const othersKnown = this.session.record.founder !== me || [...this.session.ledger.balances.keys()].some((a) => a !== me);
    if (!othersKnown) return { kind: 'nobody-yet' };
    return at - this.#openedAt < ALONE_GRACE_MS ? { kind: 'searching', since: this.#openedAt } : { kind: 'alone', since: this.#openedAt };
  }

  /** What a send would sign and what to confirm ("3 MH", a stranger), or why it cannot be sent. */
  reviewSend(input: TransferInput): TransferCheck {
    this.#subscribe();
    return this.session.checkTransfer(input);
  }

  /** Signs and publishes a reviewed send (checked again against the ledger as it is now). */
  send(input: TransferInput): Promise<SendResult> {
    return this.session.send(input);
  }

  /** Stakes `amount` more hours of my room on `member`, which gives it that much credit. */
  vouch(member: string, currency: Currency, amount: string): Promise<SendResult> {
    return this.session.publishVouch(member, currency, amount);
  }

  /** Gives back `amount` hours of the stake `voucher` holds on me. */
  giveBackStake(voucher: string, currency: Currency, amount: string): Promise<SendResult> {
    return this.session.publishRelease(voucher, currency, amount);
  }

  async exportFile(): Promise<Blob> {
    return new Blob([encodeLedgerFile(await this.session.exportEntries()) as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' });
  }

  /** Verifies and imports a ledger file; returns a sentence saying what happened. */
  async importFile(file: Blob): Promise<string> {
    let decoded;
    try {
      decoded = decodeLedgerFile(new Uint8Array(await file.arrayBuffer()));
    } catch {
      return 'The file could not be read.';
    }
    if (!decoded.ok) return decoded.error;
    const report = await this.session.importEntries(decoded.entries);
    const parts = [`${report.added.length} new entries verified and shared`];
    if (report.duplicates) parts.push(`${report.duplicates} already known`);
    if (report.rejected.length) parts.push(`${report.rejected.length} rejected (see Diagnostics)`);
    if (report.pending.length) parts.push(`${report.pending.length} waiting`);
    return `Imported ${decoded.entries.length} entries: ${parts.join(', ')}.`;
  }

  setCreditLimits(limits: { MH: number; CH: number }): Promise<SendResult> {
    return this.session.publishCreditLimits(limits);
  }

  /** The orchestrator's epoch length (docs/ORCHESTRATOR.md "Epochs"), ms. */
  get epochMs(): number {
    this.#subscribe();
    return this.session.ledger.epochMs;
  }

  /** Whether the founder's settings (which fix the epoch length) are in this device's ledger yet. */
  get epochFixed(): boolean {
    this.#subscribe();
    return this.session.ledger.settingsAck > 0;
  }

  /**
   * The founder's first settings entry: credit limits and the epoch length, which it fixes for
   * good (core/kind-economy-settings.ts). Checked as replay will rule, then signed and published.
   */
  async foundSettings(settings: EconomySettingsBody): Promise<SendResult> {
    const checked = checkEconomySettings(
      { founder: this.session.record.founder, epochFixed: this.session.ledger.settingsAck > 0, epochMs: this.session.ledger.epochMs }, this.me, settings);
    if (!checked.ok) return checked;
    return this.session.publish('economy-settings', checked.body);
  }
}
