// What Ledger.addEntries tells its caller about the inputs it was given (ledger.ts).

export interface AddReport {
  /** Ids of entries stored for the first time by this call. */
  added: string[];
  duplicates: number;
  /** Inputs of this call that ended rejected, with a reason for a diagnostics view. */
  rejected: { id: string; reason: string }[];
  /** Inputs of this call that are held (future-dated or waiting for a predecessor). */
  pending: { id: string; reason: string }[];
  /**
   * How the state was brought up to date: 'none' (nothing applied: duplicates, malformed or
   * held inputs, or only statuses set, as for a frozen author's entries), 'incremental'
   * (applied on top), 'partial' (re-applied from a checkpoint) or 'full' (everything replayed).
   */
  replay: 'none' | 'incremental' | 'partial' | 'full';
}

/**
 * Splits the report of a merged batch (calls that waited while another ran are merged into one,
 * see Ledger.addEntries) into one report per call: `ids` are the merged inputs' ids in order and
 * `sizes` how many inputs each call gave. As within one call, an input is added (for the first
 * call that sent it), refused before it was stored (malformed: in `rejected` only), or a
 * duplicate; a rejection or a pending status is told to every call that sent that id.
 */
export function splitReport(report: AddReport, ids: readonly string[], sizes: readonly number[]): AddReport[] {
  const added = new Set(report.added);
  const refused = new Set(report.rejected.map((r) => r.id).filter((id) => !added.has(id)));
  let at = 0;
  return sizes.map((size) => {
    const mine = ids.slice(at, (at += size));
    const own: AddReport = { added: [], duplicates: 0, rejected: [], pending: [], replay: report.replay };
    for (const id of mine) {
      if (added.delete(id)) own.added.push(id);
      else if (!refused.delete(id)) own.duplicates++;
    }
    const sent = new Set(mine);
    own.rejected = report.rejected.filter((r) => sent.has(r.id));
    own.pending = report.pending.filter((r) => sent.has(r.id));
    return own;
  });
}
