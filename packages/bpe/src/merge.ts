// The two primitives of byte-pair encoding over id sequences (as in minbpe's get_stats / merge).
// Plain arrays, no regex pre-split and no special tokens: those live in the trainer and encoder.

/**
 * Counts adjacent pairs. `pairCounts([1, 2, 3, 1, 2])` → `{ "1,2": 2, "2,3": 1, "3,1": 1 }`
 * (keys are `"left,right"`; insertion order is first occurrence).
 */
export function pairCounts(ids: readonly number[], counts = new Map<string, number>()) {
  for (let i = 0; i + 1 < ids.length; i++) {
    const key = `${ids[i]},${ids[i + 1]}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/**
 * Replaces every non-overlapping occurrence of `pair`, left to right, with `newId`.
 * `mergePair([1, 1, 1], [1, 1], 9)` → `[9, 1]`.
 */
export function mergePair(ids: readonly number[], pair: readonly [number, number], newId: number) {
  const out: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (i + 1 < ids.length && ids[i] === pair[0] && ids[i + 1] === pair[1]) {
      out.push(newId);
      i++;
    } else {
      out.push(ids[i]);
    }
  }
  return out;
}
