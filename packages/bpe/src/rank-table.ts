// The vocabulary as bytes: every token's bytes in one arena, and an open-addressing hash table from
// a byte sequence to its rank (= token id), looked up on a slice of a buffer without building strings.
import { BpeError } from './errors.ts';

/** FNV-1a over bytes[start, end). */
export function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

/** Largest rank (the merge heap packs rank and position into one double). */
export const MAX_RANK = 2 ** 21 - 1;

/** A rank table's arrays, for sending to a worker thread (structured clone) and back. */
export interface RankTableData {
  arena: Uint8Array;
  offsets: Int32Array;
  lengths: Int32Array;
  slots: Int32Array;
  size: number;
  maxTokenBytes: number;
}

export class RankTable {
  /** Bytes of every token, concatenated (ranks in order). */
  readonly arena: Uint8Array;
  /** Start of token `rank` in the arena; -1 where the rank is unused. */
  readonly offsets: Int32Array;
  /** Length of token `rank`; 0 where unused. */
  readonly lengths: Int32Array;
  /** Number of ranks in use. */
  readonly size: number;
  /** Longest token, in bytes. */
  readonly maxTokenBytes: number;
  private readonly slots: Int32Array;
  private readonly mask: number;
  /** maxTokenBytes bytes to assemble a candidate token in (pairRank, getAscii). */
  private readonly scratch: Uint8Array;

  /** `tokens[rank]` are the bytes of each rank; `undefined` leaves a gap. Throws on duplicates. */
  constructor(tokens: readonly (Uint8Array | undefined)[], data?: RankTableData) {
    if (data) {
      this.arena = data.arena;
      this.offsets = data.offsets;
      this.lengths = data.lengths;
      this.slots = data.slots;
      this.mask = data.slots.length - 1;
      this.size = data.size;
      this.maxTokenBytes = data.maxTokenBytes;
      this.scratch = new Uint8Array(data.maxTokenBytes);
      return;
    }
    let total = 0;
    let size = 0;
    let maxTokenBytes = 0;
    if (tokens.length > MAX_RANK + 1) {
      throw new BpeError(`rank ${tokens.length - 1} exceeds the limit ${MAX_RANK}`);
    }
    for (const t of tokens) {
      if (!t) continue;
      if (t.length === 0)
        throw new BpeError('a token has no bytes; every token needs at least one byte');
      total += t.length;
      size++;
      if (t.length > maxTokenBytes) maxTokenBytes = t.length;
    }
    this.arena = new Uint8Array(total);
    this.offsets = new Int32Array(tokens.length).fill(-1);
    this.lengths = new Int32Array(tokens.length);
    this.size = size;
    this.maxTokenBytes = maxTokenBytes;
    this.scratch = new Uint8Array(maxTokenBytes);
    let capacity = 1024;
    while (capacity < size * 2) capacity *= 2;
    this.slots = new Int32Array(capacity);
    this.mask = capacity - 1;
    let at = 0;
    for (let rank = 0; rank < tokens.length; rank++) {
      const t = tokens[rank];
      if (!t) continue;
      this.arena.set(t, at);
      const existing = this.get(this.arena, at, at + t.length);
      if (existing >= 0) {
        throw new BpeError(
          `ranks ${existing} and ${rank} have the same bytes ${Buffer.from(t).toString('base64')}; each token must be unique`,
        );
      }
      this.offsets[rank] = at;
      this.lengths[rank] = t.length;
      let slot = hashBytes(t, 0, t.length) & this.mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = rank + 1;
      at += t.length;
    }
  }

  // Cache of pair → rank of the concatenation (-1 if none), keyed by the two token ids.
  private pairA = new Int32Array(0);
  private pairB = new Int32Array(0);
  private pairValue = new Int32Array(0);
  private pairUsed = 0;

  /**
   * Rank of the token whose bytes are token `a`'s followed by token `b`'s, or -1 (cached by ids, so
   * a long merge does not re-hash byte spans).
   */
  pairRank(a: number, b: number): number {
    let keys = this.pairA;
    if (keys.length === 0) {
      this.pairA = keys = new Int32Array(1 << 16).fill(-1);
      this.pairB = new Int32Array(1 << 16);
      this.pairValue = new Int32Array(1 << 16);
    }
    const mask = keys.length - 1;
    let slot = (Math.imul(a, 0x9e3779b1) + Math.imul(b ^ (b >>> 15), 0x85ebca6b)) >>> 0;
    slot = (slot ^ (slot >>> 16)) & mask;
    for (;;) {
      const k = keys[slot];
      if (k === -1) break;
      if (k === a && this.pairB[slot] === b) return this.pairValue[slot];
      slot = (slot + 1) & mask;
    }
    const la = this.lengths[a];
    const lb = this.lengths[b];
    let rank = -1;
    if (la + lb <= this.maxTokenBytes) {
      const scratch = this.scratch;
      scratch.set(this.arena.subarray(this.offsets[a], this.offsets[a] + la), 0);
      scratch.set(this.arena.subarray(this.offsets[b], this.offsets[b] + lb), la);
      rank = this.get(scratch, 0, la + lb);
    }
    if (++this.pairUsed > keys.length >> 1) {
      keys.fill(-1); // full: start over (keeps memory bounded)
      this.pairUsed = 1;
      slot = (Math.imul(a, 0x9e3779b1) + Math.imul(b ^ (b >>> 15), 0x85ebca6b)) >>> 0;
      slot = (slot ^ (slot >>> 16)) & mask;
    }
    keys[slot] = a;
    this.pairB[slot] = b;
    this.pairValue[slot] = rank;
    return rank;
  }

  /** The arrays behind this table (shared, not copied). */
  toData(): RankTableData {
    const { arena, offsets, lengths, slots, size, maxTokenBytes } = this;
    return { arena, offsets, lengths, slots, size, maxTokenBytes };
  }

  /** A table over arrays from `toData()` (no re-indexing). */
  static fromData(data: RankTableData): RankTable {
    return new RankTable([], data);
  }

  /** Rank of bytes[start, end), or -1. */
  get(bytes: Uint8Array, start: number, end: number): number {
    if (end - start > this.maxTokenBytes) return -1;
    return this.find(hashBytes(bytes, start, end), bytes, start, end - start);
  }

  /**
   * Rank of text[start, end) when it is all ASCII (bytes = UTF-16 code units), without encoding it:
   * -1 if ASCII but not a token, -2 if not all ASCII (encode it and call `get`).
   */
  getAscii(text: string, start: number, end: number): number {
    const length = end - start;
    if (length > this.maxTokenBytes) {
      for (let i = start; i < end; i++) if (text.charCodeAt(i) >= 0x80) return -2;
      return -1;
    }
    // The code units are the bytes: copy them to the scratch, hashing (FNV-1a) on the way.
    const scratch = this.scratch;
    let h = 0x811c9dc5;
    for (let i = 0; i < length; i++) {
      const c = text.charCodeAt(start + i);
      if (c >= 0x80) return -2;
      scratch[i] = c;
      h = Math.imul(h ^ c, 0x01000193);
    }
    return this.find(h >>> 0, scratch, 0, length);
  }

  /** Rank of the `length` bytes at bytes[start] (at most maxTokenBytes), whose hash is `hash`; or -1. */
  private find(hash: number, bytes: Uint8Array, start: number, length: number): number {
    const { arena, offsets, lengths, slots, mask } = this;
    let slot = hash & mask;
    for (;;) {
      const entry = slots[slot];
      if (entry === 0) return -1;
      const rank = entry - 1;
      if (lengths[rank] === length) {
        const offset = offsets[rank];
        let i = 0;
        while (i < length && arena[offset + i] === bytes[start + i]) i++;
        if (i === length) return rank;
      }
      slot = (slot + 1) & mask;
    }
  }

  /** Whether `rank` names a token. */
  has(rank: number): boolean {
    return rank >= 0 && rank < this.lengths.length && this.lengths[rank] > 0;
  }

  /** The bytes of `rank` (a view into the arena; do not write to it). */
  bytesOf(rank: number): Uint8Array {
    const offset = this.offsets[rank];
    return this.arena.subarray(offset, offset + this.lengths[rank]);
  }
}
