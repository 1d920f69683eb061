// Posting a compute job, as its owner: the form is reviewed first (the kernel's own parameter
// check, the runtime's module check for an upload, then core/kind-job.ts checkJob: what the
// ledger will say), and only the press on the confirmation signs.
//
// Nothing is lost on the way: the manifest (unit inputs) and an uploaded module are saved on this
// device (a staging copy of the job room's cache, named by the manifest's hash) BEFORE the job
// entry is signed, copied into the job's own room right after, and the staging copy is dropped.
// A tab closed in between finds the staging copy when the job's view opens (JobWatch).
import { createSubscriber } from 'svelte/reactivity';
import { checkJob, type JobBody, type JobInput, type JobRecord } from '../core';
import type { EconomySession, SendResult } from '../net/economy-session';
import { blobHash } from '../net/job-room';
import { encodeManifest } from '../net/job-manifest';
import { CATALOG, catalogKernel, prepareUserModule, type CatalogKernelId } from '../compute';

export interface PostJobForm {
  title: string;
  /** A catalog kernel, or 'upload' with `module` set. */
  kernel: CatalogKernelId | 'upload';
  /** The catalog kernel's parameters (as numbers). */
  params: Record<string, number>;
  /** Upload: the .wasm bytes and, one input per line, hex bytes of each unit's input. */
  module?: Uint8Array;
  moduleInputs?: Uint8Array[];
  redundancy: number;
  /** Seconds one unit may take before its lease expires and it is reissued. */
  deadlineSeconds: number;
  ceilingText: string;
  budgetText: string;
  /** Hours from now until the job closes. */
  hoursOpen: number;
}

export type ReviewField = 'title' | 'kernel' | 'params' | 'units' | 'redundancy' | 'deadline' | 'ceiling' | 'budget' | 'expires' | 'manifest';

export type JobReview =
  | { ok: true; body: JobBody; reading: string; units: number; manifest: Uint8Array; module: Uint8Array | null; denan: string | null }
  | { ok: false; error: string; field?: ReviewField };

export const STAGING_PREFIX = 'staging-';

export class ComputeOwner {
  readonly #session: EconomySession;
  readonly #now: () => number;
  readonly #subscribe: () => void;

  constructor(session: EconomySession, now: () => number) {
    this.#session = session;
    this.#now = now;
    this.#subscribe = createSubscriber((update) => session.subscribe(update));
  }

  /** CH this account may still lock or send (balance + credit − stakes − escrow). */
  get spendableCH(): number {
    this.#subscribe();
    return this.#session.ledger.spendable(this.#session.me, 'CH');
  }

  /** Builds the unit inputs and checks everything the ledger will check; signs nothing. */
  async review(form: PostJobForm): Promise<JobReview> {
    let inputs: Uint8Array[];
    let kernel: string;
    let module: Uint8Array | null = null;
    let denan: string | null = null;
    let params: Record<string, unknown> | null = null;
    if (form.kernel === 'upload') {
      if (!form.module) return { ok: false, field: 'kernel', error: 'Choose a .wasm file to upload.' };
      const prepared = await prepareUserModule(form.module);
      if (!prepared.ok) return { ok: false, field: 'kernel', error: `This module is refused: ${prepared.reason}` };
      module = prepared.bytes;
      denan = prepared.denan === 'applied' ? 'NaN bit patterns were canonicalized so that every donor gets the same bytes.' : null;
      kernel = blobHash(module);
      inputs = form.moduleInputs ?? [];
      if (inputs.length === 0) return { ok: false, field: 'units', error: 'Give at least one unit input (one line of hexadecimal bytes per unit).' };
    } else {
      if (!CATALOG.some((k) => k.id === form.kernel)) return { ok: false, field: 'kernel', error: 'Choose a kernel.' };
      const k = catalogKernel(form.kernel);
      const problem = k.checkParams(form.params);
      if (problem) return { ok: false, field: 'params', error: problem };
      kernel = form.kernel;
      params = form.params;
      inputs = k.splitJob(form.params);
    }
    let manifest: Uint8Array;
    try {
      manifest = encodeManifest({ kernel, params, inputs });
    } catch (error) {
      return { ok: false, field: 'units', error: error instanceof Error ? error.message : String(error) };
    }
    const now = this.#now();
    const input: JobInput = {
      title: form.title, kernel, manifest: blobHash(manifest), units: inputs.length, redundancy: form.redundancy,
      unitDeadlineMs: Math.round(form.deadlineSeconds * 1000), ceilingText: form.ceilingText, budgetText: form.budgetText,
      expires: now + Math.round(form.hoursOpen * 3_600_000),
    };
    const checked = checkJob(this.#session.ledger, this.#session.me, input, now);
    if (!checked.ok) return { ok: false, error: checked.error, field: checked.field === 'deadline' ? 'deadline' : checked.field };
    return { ok: true, body: checked.body, reading: checked.reading, units: inputs.length, manifest, module, denan };
  }

  /** Saves the inputs here, signs the job, and puts its inputs in the job's room. */
  async post(review: Extract<JobReview, { ok: true }>): Promise<SendResult> {
    const rooms = this.#session.jobRooms;
    const stagingName = `${STAGING_PREFIX}${review.body.manifest}`;
    const staging = await rooms.openLocal(stagingName);
    staging.put(review.manifest);
    if (review.module) staging.put(review.module);
    staging.close();
    const sent = await this.#session.postJob(review.body);
    if (!sent.ok) return sent;
    // Retained by the owner's watch of the job (compute-job-watch.svelte.ts) while this tab is open.
    const room = await rooms.open(sent.entryId, 'owner');
    room.put(review.manifest);
    if (review.module) room.put(review.module);
    await this.#session.forgetJobRoom(stagingName);
    return sent;
  }

  /** My jobs, newest first. */
  myJobs(): JobRecord[] {
    this.#subscribe();
    return this.#session.ledger.jobs.filter((j) => j.owner === this.#session.me);
  }
}
