// Byte-pair merging of one pre-split piece by ranks, as tiktoken does: repeatedly merge the adjacent
// pair whose concatenated bytes has the lowest rank (leftmost on ties). Short pieces rescan a small
// array; long pieces use a linked list of parts and a min-heap, so 1 MB of one letter stays linear.
import type { RankTable } from './rank-table.ts';

const NONE = 0x7fffffff;
/** Pieces up to this many bytes use the rescan (faster when short). */
export const SHORT_PIECE_BYTES = 96;
const TWO_32 = 2 ** 32;

let starts = new Int32Array(SHORT_PIECE_BYTES + 2);
let ranks = new Int32Array(SHORT_PIECE_BYTES + 2);

/** Appends the ids of bytes[0, length) to `out`. Every single byte must be a token. */
export function bytePairMerge(
  table: RankTable,
  bytes: Uint8Array,
  length: number,
  out: number[],
): void {
  if (length === 1) {
    out.push(table.get(bytes, 0, 1));
    return;
  }
  if (length > SHORT_PIECE_BYTES) {
    heapMerge(table, bytes, length, out);
    return;
  }
  if (starts.length < length + 2) {
    starts = new Int32Array(length + 2);
    ranks = new Int32Array(length + 2);
  }
  let parts = length + 1;
  for (let i = 0; i <= length; i++) starts[i] = i;
  for (let i = 0; i < length - 1; i++) {
    const r = table.get(bytes, i, i + 2);
    ranks[i] = r < 0 ? NONE : r;
  }
  ranks[length - 1] = NONE;
  for (;;) {
    let best = NONE;
    let at = -1;
    for (let i = 0; i < parts - 2; i++) {
      if (ranks[i] < best) {
        best = ranks[i];
        at = i;
      }
    }
    if (at < 0) break;
    // remove boundary at+1
    for (let i = at + 1; i < parts - 1; i++) {
      starts[i] = starts[i + 1];
      ranks[i] = ranks[i + 1];
    }
    parts--;
    const r = at + 2 < parts ? table.get(bytes, starts[at], starts[at + 2]) : -1;
    ranks[at] = r < 0 ? NONE : r;
    if (at > 0) {
      const p = table.get(bytes, starts[at - 1], starts[at + 1]);
      ranks[at - 1] = p < 0 ? NONE : p;
    }
  }
  for (let i = 0; i < parts - 1; i++) out.push(table.get(bytes, starts[i], starts[i + 1]));
}

/**
 * The same merge in O(n log n): parts are a linked list over byte offsets, each with its token id;
 * pairs sit in a min-heap keyed by (rank, offset); pair ranks come from the table's id-pair cache.
 */
let heap = new Float64Array(1024);
let heapSize = 0;

function heapPush(key: number) {
  if (heapSize === heap.length) {
    const grown = new Float64Array(heap.length * 2);
    grown.set(heap);
    heap = grown;
  }
  const h = heap;
  let i = heapSize++;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const above = h[parent];
    if (above <= key) break;
    h[i] = above;
    i = parent;
  }
  h[i] = key;
}

function heapPop(): number {
  const h = heap;
  const top = h[0];
  const size = --heapSize;
  const last = h[size];
  let i = 0;
  for (;;) {
    let child = 2 * i + 1;
    if (child >= size) break;
    if (child + 1 < size && h[child + 1] < h[child]) child++;
    if (h[child] >= last) break;
    h[i] = h[child];
    i = child;
  }
  h[i] = last;
  return top;
}

/** Floyd's bottom-up heap construction over heap[0, heapSize): O(n). */
function heapify() {
  const h = heap;
  const size = heapSize;
  for (let start = (size >> 1) - 1; start >= 0; start--) {
    const key = h[start];
    let i = start;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      if (child + 1 < size && h[child + 1] < h[child]) child++;
      if (h[child] >= key) break;
      h[i] = h[child];
      i = child;
    }
    h[i] = key;
  }
}

export function heapMerge(
  table: RankTable,
  bytes: Uint8Array,
  length: number,
  out: number[],
): void {
  const next = new Int32Array(length + 1);
  const prev = new Int32Array(length + 1);
  const id = new Int32Array(length);
  const pairRank = new Int32Array(length);
  heapSize = 0;
  if (heap.length < length) heap = new Float64Array(length + 1024);
  const push = heapPush;
  const byteIds = new Int32Array(256).fill(-1);
  for (let i = 0; i < length; i++) {
    const b = bytes[i];
    if (byteIds[b] < 0) byteIds[b] = table.get(bytes, i, i + 1);
    id[i] = byteIds[b];
    next[i] = i + 1;
    prev[i] = i - 1;
  }
  for (let i = 0; i < length - 1; i++) {
    const r = table.pairRank(id[i], id[i + 1]);
    pairRank[i] = r < 0 ? NONE : r;
    if (r >= 0) heap[heapSize++] = r * TWO_32 + i;
  }
  heapify();
  pairRank[length - 1] = NONE;
  while (heapSize > 0) {
    const key = heapPop();
    const r = Math.floor(key / TWO_32);
    const p = key - r * TWO_32;
    if (next[p] < 0 || pairRank[p] !== r) continue; // stale entry
    const q = next[p];
    const after = next[q];
    next[p] = after;
    next[q] = -1;
    id[p] = r; // the merged token's id is its rank
    if (after < length) {
      prev[after] = p;
      const nr = table.pairRank(r, id[after]);
      pairRank[p] = nr < 0 ? NONE : nr;
      if (nr >= 0) push(nr * TWO_32 + p);
    } else {
      pairRank[p] = NONE;
    }
    const before = prev[p];
    if (before >= 0) {
      const br = table.pairRank(id[before], r);
      pairRank[before] = br < 0 ? NONE : br;
      if (br >= 0) push(br * TWO_32 + before);
    }
  }
  for (let p = 0; p < length; p = next[p]) out.push(id[p]);
}
