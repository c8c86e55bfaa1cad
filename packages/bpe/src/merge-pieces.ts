// The BPE merge loop over weighted pieces: symbols of all distinct pieces in one linked array,
// pair counts updated only where a merge happens (positions per pair), best pair from a lazy max-heap.
// Ties go to the smaller (left, right) ids, so the same counts always give the same merges.
import { PairTable } from './pair-table.ts';
import { utf8Into } from './utf8.ts';

/**
 * The merge loop over weighted pieces. Returns token bytes by id (0..255 are the bytes) and the
 * merges that made ids 256, 257, ... . A pair whose bytes already form a token merges into that
 * token without a new id (so every token's bytes stay unique).
 */
export function mergePieces(
  counts: ReadonlyMap<string, number>,
  targetMerges: number,
  onMerges?: (done: number) => void,
): { tokens: Uint8Array[]; merges: [number, number][] } {
  // Symbols of all pieces in one array, linked per piece.
  let total = 0;
  for (const [piece] of counts) total += piece.length * 3;
  const sym = new Int32Array(total);
  const next = new Int32Array(total);
  const prev = new Int32Array(total);
  const weight = new Float64Array(total);
  let used = 0;
  for (const [piece, count] of counts) {
    const length = utf8Into(piece, 0, piece.length, scratch(piece.length * 3));
    if (length < 2) continue;
    for (let i = 0; i < length; i++) {
      sym[used + i] = scratchBuffer[i];
      next[used + i] = i + 1 < length ? used + i + 1 : -1;
      prev[used + i] = i > 0 ? used + i - 1 : -1;
      weight[used + i] = count;
    }
    used += length;
  }

  const pairs = new PairTable();
  let pairCount = new Float64Array(1024);
  const positions: number[][] = [];
  const pairOf = (a: number, b: number) => {
    const index = pairs.intern(a, b);
    if (index === positions.length) {
      positions.push([]);
      if (index === pairCount.length) {
        const grown = new Float64Array(index * 2);
        grown.set(pairCount);
        pairCount = grown;
      }
    }
    return index;
  };
  for (let p = 0; p < used; p++) {
    const q = next[p];
    if (q < 0) continue;
    const index = pairOf(sym[p], sym[q]);
    pairCount[index] += weight[p];
    positions[index].push(p);
  }

  // Lazy max-heap of (count snapshot, pair): larger count first, then smaller (left, right).
  const heap = new MaxHeap(
    (i, j) => pairs.left[i] - pairs.left[j] || pairs.right[i] - pairs.right[j],
  );
  for (let index = 0; index < pairs.size; index++) heap.push(pairCount[index], index);

  const tokens: Uint8Array[] = [];
  const byBytes = new Map<string, number>();
  for (let b = 0; b < 256; b++) {
    tokens.push(Uint8Array.of(b));
    byBytes.set(String.fromCharCode(b), b);
  }
  const keys: string[] = tokens.map((t) => String.fromCharCode(t[0]));
  const merges: [number, number][] = [];
  let stamp = new Int32Array(1024);
  let round = 0;
  const touched: number[] = [];

  while (merges.length < targetMerges && heap.size > 0) {
    const snapshot = heap.topCount();
    const best = heap.pop();
    const current = pairCount[best];
    if (snapshot !== current) {
      if (current > 0) heap.push(current, best);
      continue;
    }
    if (current <= 0) break;
    const a = pairs.left[best];
    const b = pairs.right[best];
    const key = keys[a] + keys[b];
    let merged = byBytes.get(key);
    if (merged === undefined) {
      merged = tokens.length;
      const bytes = new Uint8Array(tokens[a].length + tokens[b].length);
      bytes.set(tokens[a]);
      bytes.set(tokens[b], tokens[a].length);
      tokens.push(bytes);
      keys.push(key);
      byBytes.set(key, merged);
      merges.push([a, b]);
    }
    round++;
    touched.length = 0;
    const increase = (index: number, w: number, position: number) => {
      pairCount[index] += w;
      positions[index].push(position);
      if (index >= stamp.length) {
        const grown = new Int32Array(Math.max(index + 1, stamp.length * 2));
        grown.set(stamp);
        stamp = grown;
      }
      if (stamp[index] !== round) {
        stamp[index] = round;
        touched.push(index);
      }
    };
    const list = Int32Array.from(positions[best]).sort();
    positions[best] = [];
    for (let k = 0; k < list.length; k++) {
      const p = list[k];
      if (sym[p] !== a) continue;
      const q = next[p];
      if (q < 0 || sym[q] !== b) continue;
      const w = weight[p];
      const before = prev[p];
      const after = next[q];
      pairCount[best] -= w;
      if (before >= 0) {
        pairCount[pairOf(sym[before], a)] -= w;
        increase(pairOf(sym[before], merged), w, before);
      }
      if (after >= 0) {
        pairCount[pairOf(b, sym[after])] -= w;
        increase(pairOf(merged, sym[after]), w, p);
      }
      sym[p] = merged;
      sym[q] = -1;
      next[p] = after;
      if (after >= 0) prev[after] = p;
    }
    for (const index of touched) if (pairCount[index] > 0) heap.push(pairCount[index], index);
    if (merges.length % 100 === 0) onMerges?.(merges.length);
  }
  onMerges?.(merges.length);
  return { tokens, merges };
}

let scratchBuffer = new Uint8Array(256);
function scratch(bytes: number): Uint8Array {
  if (scratchBuffer.length < bytes) scratchBuffer = new Uint8Array(bytes * 2);
  return scratchBuffer;
}

/** Binary max-heap of (count, pair) with a tie-break on pairs (negative = first pair wins). */
class MaxHeap {
  private counts = new Float64Array(1024);
  private items = new Int32Array(1024);
  size = 0;
  constructor(private readonly tie: (i: number, j: number) => number) {}

  private above(i: number, j: number): boolean {
    const ci = this.counts[i];
    const cj = this.counts[j];
    return ci > cj || (ci === cj && this.tie(this.items[i], this.items[j]) < 0);
  }

  private swap(i: number, j: number) {
    const c = this.counts[i];
    this.counts[i] = this.counts[j];
    this.counts[j] = c;
    const t = this.items[i];
    this.items[i] = this.items[j];
    this.items[j] = t;
  }

  push(count: number, item: number) {
    if (this.size === this.items.length) {
      const counts = new Float64Array(this.size * 2);
      counts.set(this.counts);
      this.counts = counts;
      const items = new Int32Array(this.size * 2);
      items.set(this.items);
      this.items = items;
    }
    let i = this.size++;
    this.counts[i] = count;
    this.items[i] = item;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.above(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  topCount(): number {
    return this.counts[0];
  }

  pop(): number {
    const top = this.items[0];
    this.size--;
    this.counts[0] = this.counts[this.size];
    this.items[0] = this.items[this.size];
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < this.size && this.above(l, best)) best = l;
      if (r < this.size && this.above(r, best)) best = r;
      if (best === i) break;
      this.swap(i, best);
      i = best;
    }
    return top;
  }
}
