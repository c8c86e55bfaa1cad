// The one error base class of @lmkit/datasets (an LmkitError). Every error names the value, the limit and the fix;
// subclasses only sharpen the kind (shard format, bad input record) so callers can catch narrowly.

import { LmkitError } from '@lmkit/core';

export class DatasetsError extends LmkitError {
  override name = 'DatasetsError';
}

/** A bad record in an input file: names the file, the 1-based line and the field. */
export class InvalidRecordError extends DatasetsError {
  override name = 'InvalidRecordError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly field: string,
    readonly problem: string,
    /** Short, stable reason used as the counter key when skipped (e.g. 'empty content'). */
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${field} ${problem}`);
  }
}

/**
 * What a loader read and what it left out, by reason. Pass one in `report` to see the counts;
 * with `skipInvalid`, bad records are counted under `skipped[reason]` instead of thrown.
 */
export interface LoadReport {
  /** Records (lines) read. */
  records: number;
  /** Items (conversations, documents) yielded. */
  yielded: number;
  /** Left out, by reason: invalid input (with skipInvalid) and filtered content alike. */
  skipped: Record<string, number>;
}

export function newLoadReport(): LoadReport {
  return { records: 0, yielded: 0, skipped: {} };
}

export function countSkip(report: LoadReport | undefined, reason: string, count = 1): void {
  if (!report || count === 0) return;
  report.skipped[reason] = (report.skipped[reason] ?? 0) + count;
}
