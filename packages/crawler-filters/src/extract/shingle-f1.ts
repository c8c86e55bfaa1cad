// Word-4-gram shingle F1, the metric of public article-extraction benchmarks: per page, shingle
// counts of extracted vs true text give tp/fp/fn; precision and recall are averaged over pages.

export interface ShingleScore {
  precision: number;
  recall: number;
}

const TOKEN = /[\p{L}\p{N}\p{M}_]+/gu;

function shingles(text: string, n: number): Map<string, number> {
  const tokens = text.match(TOKEN) ?? [];
  const counts = new Map<string, number>();
  const add = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  if (tokens.length > 0 && tokens.length < n) add(tokens.join(' '));
  for (let i = 0; i + n <= tokens.length; i++) add(tokens.slice(i, i + n).join(' '));
  return counts;
}

/**
 * Precision and recall of one extraction against the true text, from shingle counts.
 * Both empty: 1 and 1; nothing extracted: precision 0 (counted as a miss); nothing true: recall 1.
 *
 * @example shingleScore({ predicted: 'a b c d e', truth: 'a b c d' }) // { precision: 0.5, recall: 1 }
 */
export function shingleScore(options: {
  predicted: string;
  truth: string;
  n?: number;
}): ShingleScore {
  const n = options.n ?? 4;
  const predicted = shingles(options.predicted, n);
  const truth = shingles(options.truth, n);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const [key, count] of predicted) {
    const trueCount = truth.get(key) ?? 0;
    tp += Math.min(count, trueCount);
    fp += Math.max(0, count - trueCount);
  }
  for (const [key, count] of truth) fn += Math.max(0, count - (predicted.get(key) ?? 0));
  if (predicted.size === 0 && truth.size === 0) return { precision: 1, recall: 1 };
  return {
    precision: tp + fp > 0 ? tp / (tp + fp) : 0,
    recall: tp + fn > 0 ? tp / (tp + fn) : 1,
  };
}

/** Mean precision, mean recall over pages, and the F1 of those two means. */
export function meanShingleF1(scores: readonly ShingleScore[]): {
  precision: number;
  recall: number;
  f1: number;
} {
  if (scores.length === 0) return { precision: 0, recall: 0, f1: 0 };
  let precision = 0;
  let recall = 0;
  for (const s of scores) {
    precision += s.precision;
    recall += s.recall;
  }
  precision /= scores.length;
  recall /= scores.length;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1 };
}
