// The document every stage passes along (@lmkit/core's Document, re-exported), and the verdict a
// filter gives about one.

import type { Document } from '@lmkit/core';

export type { Document };

/** A filter's answer: keep, or drop with a reason the pipeline counts. */
export type Verdict = { keep: true } | { keep: false; reason: string };

/** Splits text into words on whitespace (the unit Gopher's and FineWeb's rules count). */
export function words(text: string): string[] {
  return text.split(/\s+/u).filter((word) => word.length > 0);
}
