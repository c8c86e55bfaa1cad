// The one error class of @lmkit/crawler-filters (an LmkitError): every message names the value, the limit and the fix.
// Inside a pipeline these errors are counted with their `reason` instead of ending the run.

import { LmkitError } from '@lmkit/core';

export class CrawlerFiltersError extends LmkitError {
  /** Short machine-friendly reason the pipeline counts, e.g. `truncated-gzip`. */
  readonly reason: string;

  constructor(reason: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CrawlerFiltersError';
    this.reason = reason;
  }
}

/** The reason to count for any thrown value: ours carry one; anything else is `unexpected-error`. */
export function reasonOf(error: unknown): string {
  return error instanceof CrawlerFiltersError ? error.reason : 'unexpected-error';
}
