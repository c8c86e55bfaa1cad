// tiktoken rank files (`*.tiktoken`): one `base64(bytes) rank` line per token, as OpenAI publishes
// cl100k_base / o200k_base / r50k_base. Parsing checks every line; errors name the line.
import { readFile, writeFile } from 'node:fs/promises';
import { BpeError } from './errors.ts';
import type { BuiltinPatternName } from './patterns.ts';
import { MAX_RANK } from './rank-table.ts';
import { builtinSpecialTokens } from './special-tokens.ts';
import { Tokenizer } from './tokenizer.ts';

const BASE64_VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) {
  BASE64_VALUES['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] =
    i;
}

/** Decodes strict base64 text[start, end) into out[at...]; returns the byte count or -1 if invalid. */
function decodeBase64(
  text: string,
  start: number,
  end: number,
  out: Uint8Array,
  at: number,
): number {
  const length = end - start;
  if (length === 0 || length % 4 !== 0) return -1;
  let pad = 0;
  if (text.charCodeAt(end - 1) === 61) pad = text.charCodeAt(end - 2) === 61 ? 2 : 1;
  let n = at;
  for (let i = start; i < end; i += 4) {
    const last = i + 4 === end;
    const a = BASE64_VALUES[text.charCodeAt(i)] ?? -1;
    const b = BASE64_VALUES[text.charCodeAt(i + 1)] ?? -1;
    const c = last && pad === 2 ? 0 : (BASE64_VALUES[text.charCodeAt(i + 2)] ?? -1);
    const d = last && pad >= 1 ? 0 : (BASE64_VALUES[text.charCodeAt(i + 3)] ?? -1);
    if ((a | b | c | d) < 0) return -1;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[n++] = v >> 16;
    if (!(last && pad === 2)) out[n++] = (v >> 8) & 255;
    if (!(last && pad >= 1)) out[n++] = v & 255;
  }
  return n - at;
}

/**
 * Parses the text of a rank file into token bytes indexed by rank. Duplicate bytes are caught when
 * the ranks are indexed (the error names both ranks).
 */
export function parseTiktoken(text: string, source = 'rank file'): (Uint8Array | undefined)[] {
  const tokens: (Uint8Array | undefined)[] = [];
  const arena = new Uint8Array(text.length);
  let at = 0;
  let lineNumber = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const next = end + 1;
    lineNumber++;
    if (end > start && text.charCodeAt(end - 1) === 13) end--;
    if (end === start) {
      start = next;
      continue;
    }
    const space = text.indexOf(' ', start);
    const rankText = space >= 0 && space < end ? text.slice(space + 1, end) : '';
    const length = space >= 0 && space < end ? decodeBase64(text, start, space, arena, at) : -1;
    if (length < 0 || !/^\d{1,10}$/.test(rankText)) {
      throw new BpeError(
        `${source} line ${lineNumber}: ${JSON.stringify(text.slice(start, Math.min(end, start + 60)))} is not "base64 rank" (a base64 token, one space, a decimal rank)`,
      );
    }
    const rank = Number(rankText);
    if (rank > MAX_RANK) {
      throw new BpeError(
        `${source} line ${lineNumber}: rank ${rank} exceeds the limit ${MAX_RANK}`,
      );
    }
    if (tokens[rank] !== undefined) {
      throw new BpeError(
        `${source} line ${lineNumber}: rank ${rank} appears twice; each rank once`,
      );
    }
    tokens[rank] = arena.subarray(at, at + length);
    at += length;
    start = next;
  }
  return tokens;
}

/** Formats token bytes (indexed by rank) as a rank file: lines in rank order. */
export function formatTiktoken(tokens: readonly (Uint8Array | undefined)[]): string {
  const lines: string[] = [];
  for (let rank = 0; rank < tokens.length; rank++) {
    const t = tokens[rank];
    if (t)
      lines.push(`${Buffer.from(t.buffer, t.byteOffset, t.length).toString('base64')} ${rank}`);
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

export interface TiktokenFileOptions {
  /** Split pattern: a built-in name or a RegExp source. */
  pattern: BuiltinPatternName | string | RegExp;
  /** Special tokens; default: those of the built-in encoding named by `pattern`, else none. */
  specialTokens?: Readonly<Record<string, number>>;
  /** Default: the file name without `.tiktoken`. */
  name?: string;
}

/**
 * Loads a tiktoken rank file, e.g. `cl100k_base.tiktoken` with `{ pattern: 'cl100k_base' }`. Without
 * a pattern, a file named after a built-in encoding (`o200k_base.tiktoken`) takes that encoding's.
 */
export async function loadTiktokenFile(
  path: string,
  options: Partial<TiktokenFileOptions> = {},
): Promise<Tokenizer> {
  const fileName = String(path)
    .replace(/^.*[\\/]/, '')
    .replace(/\.tiktoken$/, '');
  const inferred = fileName === 'p50k_base' ? 'r50k_base' : fileName;
  const pattern =
    options?.pattern ?? (Object.hasOwn(builtinSpecialTokens, inferred) ? inferred : undefined);
  if (typeof pattern !== 'string' && !(pattern instanceof RegExp))
    throw new BpeError(
      `fromTiktokenFile(${JSON.stringify(path)}): no split pattern; pass { pattern: 'cl100k_base' } (or r50k_base, o200k_base, a RegExp), or use getEncoding('cl100k_base') for OpenAI's encodings`,
    );
  const text = await readFile(path, 'utf8');
  const builtin =
    typeof pattern === 'string' && Object.hasOwn(builtinSpecialTokens, pattern)
      ? builtinSpecialTokens[pattern as BuiltinPatternName]
      : {};
  return new Tokenizer({
    name: options?.name ?? fileName,
    pattern,
    ranks: parseTiktoken(text, path),
    specialTokens: options?.specialTokens ?? builtin,
  });
}

/** Writes the tokenizer's ranks (not its pattern or special tokens) as a tiktoken rank file. */
export async function saveTiktokenFile(tokenizer: Tokenizer, path: string): Promise<void> {
  const tokens: (Uint8Array | undefined)[] = [];
  for (let rank = 0; rank < tokenizer.ranks.lengths.length; rank++) {
    tokens[rank] = tokenizer.ranks.has(rank) ? tokenizer.ranks.bytesOf(rank) : undefined;
  }
  await writeFile(path, formatTiktoken(tokens));
}
