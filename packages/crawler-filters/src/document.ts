// The document every stage passes along, and the verdict a filter gives about one.
// Structurally equal to @lmkit/datasets' document; neither package imports the other.

export interface Document {
  id: string;
  text: string;
  url?: string;
  html?: string;
  metadata: Record<string, unknown>;
}

/** A filter's answer: keep, or drop with a reason the pipeline counts. */
export type Verdict = { keep: true } | { keep: false; reason: string };

/** Splits text into words on whitespace (the unit Gopher's and FineWeb's rules count). */
export function words(text: string): string[] {
  return text.split(/\s+/u).filter((word) => word.length > 0);
}
