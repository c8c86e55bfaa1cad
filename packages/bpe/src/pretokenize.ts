// Hand-written pre-tokenizers for the built-in patterns: each returns where the piece starting at
// `start` ends, exactly as the RegExp's leftmost alternative would (tested against the RegExp and
// js-tiktoken). A table lookup per code unit instead of a RegExp run: several times faster.
import { astralClass, bmpClasses, LETTER, LOWER, NUMBER, SPACE, UPPER } from './char-classes.ts';
import type { BuiltinPatternName } from './patterns.ts';

/** Returns the end (exclusive, UTF-16 index) of the piece that starts at `start` (< `end`). */
export type PieceEnd = (text: string, start: number, end: number) => number;

let table: Uint8Array;
/** Width in code units of the code point last read by `classAt`. */
let width = 1;

function classAt(text: string, i: number, end: number): number {
  const c = text.charCodeAt(i);
  if ((c & 0xfc00) === 0xd800 && i + 1 < end) {
    const d = text.charCodeAt(i + 1);
    if ((d & 0xfc00) === 0xdc00) {
      width = 2;
      return astralClass(((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000);
    }
  }
  width = 1;
  return table[c];
}

/** End of a run of code points whose class has any of `bits`. */
function runOf(text: string, i: number, end: number, bits: number): number {
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c < 0xd800) {
      if ((table[c] & bits) === 0) return i;
      i++;
    } else {
      if ((classAt(text, i, end) & bits) === 0) return i;
      i += width;
    }
  }
  return i;
}

/** End of `[^\s\p{L}\p{N}]+` from i. */
function runOfOther(text: string, i: number, end: number): number {
  while (i < end && (classAt(text, i, end) & (LETTER | NUMBER | SPACE)) === 0) i += width;
  return i;
}

function isNewline(c: number) {
  return c === 10 || c === 13;
}

/** Length of a case-insensitive contraction (`'s 'd 'm 't 'll 've 're`) at i, or 0. */
function contraction(text: string, i: number, end: number): number {
  if (i + 1 >= end || text.charCodeAt(i) !== 39) return 0;
  const d = text.charCodeAt(i + 1) | 0x20;
  if (d === 115 || d === 100 || d === 109 || d === 116) return 2;
  if (i + 2 >= end) return 0;
  const e = text.charCodeAt(i + 2) | 0x20;
  if ((d === 108 && e === 108) || (d === 118 && e === 101) || (d === 114 && e === 101)) return 3;
  return 0;
}

/** `\p{N}{1,3}` from i (i is a number). */
function digits(text: string, i: number, end: number): number {
  for (let n = 0; n < 3 && i < end && classAt(text, i, end) & NUMBER; n++) i += width;
  return i;
}

/** The shared tail of every pattern: `\s*[\r\n]+` (not in r50k) | `\s+(?!\S)` | `\s+`. */
function whitespace(text: string, i: number, end: number, newlines: boolean): number {
  let j = i;
  let lastNewline = -1;
  while (j < end) {
    const c = text.charCodeAt(j);
    if (c >= 0xd800 && c <= 0xdfff) break; // no white space outside the BMP
    if ((table[c] & SPACE) === 0) break;
    if (c === 10 || c === 13) lastNewline = j;
    j++;
  }
  if (newlines && lastNewline >= 0) return lastNewline + 1;
  if (j === end || j - i === 1) return j;
  return j - 1;
}

const r50k: PieceEnd = (text, i, end) => {
  const c = text.charCodeAt(i);
  if (c === 39 && i + 1 < end) {
    const d = text.charCodeAt(i + 1);
    if (d === 115 || d === 116 || d === 109 || d === 100) return i + 2;
    if (i + 2 < end) {
      const e = text.charCodeAt(i + 2);
      if ((d === 114 && e === 101) || (d === 118 && e === 101) || (d === 108 && e === 108))
        return i + 3;
    }
  }
  let from = i;
  if (c === 32 && i + 1 < end) from = i + 1;
  const k = classAt(text, from, end);
  if (k & LETTER) return runOf(text, from + width, end, LETTER);
  if (k & NUMBER) return runOf(text, from + width, end, NUMBER);
  if ((k & SPACE) === 0) return runOfOther(text, from + width, end);
  return whitespace(text, i, end, false);
};

/** Where ` ?[^\s\p{L}\p{N}]+` starts at i (class k, code unit c): i, i + 1 after one space, or -1. */
function otherRunStart(text: string, i: number, end: number, k: number, c: number): number {
  if ((k & SPACE) === 0) return i;
  if (c === 32 && i + 1 < end && (classAt(text, i + 1, end) & (LETTER | NUMBER | SPACE)) === 0)
    return i + 1;
  return -1;
}

const cl100k: PieceEnd = (text, i, end) => {
  const c = text.charCodeAt(i);
  if (c === 39) {
    const n = contraction(text, i, end);
    if (n) return i + n;
  }
  const k = classAt(text, i, end);
  const w = width;
  if (k & LETTER) return runOf(text, i + w, end, LETTER);
  if ((k & NUMBER) === 0 && !isNewline(c) && i + w < end) {
    if (classAt(text, i + w, end) & LETTER) return runOf(text, i + w + width, end, LETTER);
  }
  if (k & NUMBER) return digits(text, i, end);
  const from = otherRunStart(text, i, end, k, c);
  if (from >= 0) {
    let j = runOfOther(text, from, end);
    while (j < end && isNewline(text.charCodeAt(j))) j++;
    return j;
  }
  return whitespace(text, i, end, true);
};

/** o200k's `upper* lower+ contraction?` from p, with the RegExp's backtracking; -1 if none. */
function upperThenLower(text: string, p: number, end: number): number {
  const q = runOf(text, p, end, UPPER);
  let r = q;
  for (;;) {
    if (r < end && classAt(text, r, end) & LOWER) {
      const e = runOf(text, r + width, end, LOWER);
      return e + contraction(text, e, end);
    }
    if (r <= p) return -1;
    const low = text.charCodeAt(r - 1);
    r -=
      (low & 0xfc00) === 0xdc00 && r - 2 >= p && (text.charCodeAt(r - 2) & 0xfc00) === 0xd800
        ? 2
        : 1;
  }
}

/** o200k's `upper+ lower* contraction?` from p; -1 if none. */
function upperRun(text: string, p: number, end: number): number {
  if (p >= end || (classAt(text, p, end) & UPPER) === 0) return -1;
  const e = runOf(text, runOf(text, p + width, end, UPPER), end, LOWER);
  return e + contraction(text, e, end);
}

const o200k: PieceEnd = (text, i, end) => {
  const c = text.charCodeAt(i);
  const k = classAt(text, i, end);
  const w = width;
  const optional = (k & (LETTER | NUMBER)) === 0 && !isNewline(c) && i + w < end;
  let e = optional ? upperThenLower(text, i + w, end) : -1;
  if (e < 0) e = upperThenLower(text, i, end);
  if (e < 0 && optional) e = upperRun(text, i + w, end);
  if (e < 0) e = upperRun(text, i, end);
  if (e >= 0) return e;
  if (k & NUMBER) return digits(text, i, end);
  const from = otherRunStart(text, i, end, k, c);
  if (from >= 0) {
    let j = runOfOther(text, from, end);
    for (let d = text.charCodeAt(j); j < end && (d === 10 || d === 13 || d === 47); ) {
      d = text.charCodeAt(++j);
    }
    return j;
  }
  return whitespace(text, i, end, true);
};

const splitters: Record<BuiltinPatternName, PieceEnd> = {
  r50k_base: r50k,
  cl100k_base: cl100k,
  o200k_base: o200k,
};

/** The hand-written splitter of a built-in pattern. */
export function builtinSplitter(name: BuiltinPatternName): PieceEnd {
  table = bmpClasses();
  return splitters[name];
}

/**
 * Splits `text` into pieces with a built-in splitter or a RegExp (global, unicode); calls
 * `onPiece(start, end)` per piece. A RegExp may leave gaps (unmatched text is dropped, as tiktoken does).
 */
export function forEachPiece(
  text: string,
  splitter: PieceEnd | RegExp,
  onPiece: (start: number, end: number) => void,
  start = 0,
  end = text.length,
) {
  if (typeof splitter === 'function') {
    for (let i = start; i < end; ) {
      const j = splitter(text, i, end);
      onPiece(i, j);
      i = j;
    }
    return;
  }
  const source = start === 0 && end === text.length ? text : text.slice(start, end);
  splitter.lastIndex = 0;
  for (let m = splitter.exec(source); m !== null; m = splitter.exec(source)) {
    if (m[0].length === 0) {
      splitter.lastIndex++;
      continue;
    }
    onPiece(start + m.index, start + m.index + m[0].length);
  }
}
