// Character classes of JavaScript's Unicode RegExp (`u` flag) as bit flags, for the hand-written
// pre-tokenizers. Built lazily from the RegExp engine itself, so the splitters agree with it exactly.

/** `\p{L}` */
export const LETTER = 1;
/** `\p{N}` */
export const NUMBER = 2;
/** `\s` (JavaScript's white space and line terminators) */
export const SPACE = 4;
/** `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]` (o200k_base's "upper" run) */
export const UPPER = 8;
/** `[\p{Ll}\p{Lm}\p{Lo}\p{M}]` (o200k_base's "lower" run) */
export const LOWER = 16;

const tests: [number, RegExp][] = [
  [LETTER, /^\p{L}$/u],
  [NUMBER, /^\p{N}$/u],
  [SPACE, /^\s$/u],
  [UPPER, /^[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]$/u],
  [LOWER, /^[\p{Ll}\p{Lm}\p{Lo}\p{M}]$/u],
];

function classify(char: string): number {
  let bits = 0;
  for (const [bit, regex] of tests) if (regex.test(char)) bits |= bit;
  return bits;
}

let bmp: Uint8Array | undefined;
const astral = new Map<number, number>();

/** Class bits of every UTF-16 code unit (lone surrogates have none, as in the RegExp engine). */
export function bmpClasses(): Uint8Array {
  if (bmp) return bmp;
  const table = new Uint8Array(0x10000);
  for (let c = 0; c < 0x10000; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    table[c] = classify(String.fromCharCode(c));
  }
  bmp = table;
  return table;
}

/** Class bits of a code point above U+FFFF (cached). */
export function astralClass(codePoint: number): number {
  let bits = astral.get(codePoint);
  if (bits === undefined) {
    bits = classify(String.fromCodePoint(codePoint));
    astral.set(codePoint, bits);
  }
  return bits;
}
