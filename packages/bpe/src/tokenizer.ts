// A byte-level BPE tokenizer: ranks (token bytes by id), a split pattern and special tokens.
// Encodes exactly as tiktoken (js-tiktoken) does; immutable once built, apart from a piece cache.
import { bytePairMerge } from './byte-pair-merge.ts';
import { BpeError } from './errors.ts';
import { type BuiltinPatternName, resolvePattern } from './patterns.ts';
import { builtinSplitter, forEachPiece, type PieceEnd } from './pretokenize.ts';
import { RankTable } from './rank-table.ts';
import { type AllowedSpecial, resolveAllowed, specialTokenRegExp } from './special-tokens.ts';
import type { TiktokenFileOptions } from './tiktoken-file.ts';
import { loadTiktokenFile } from './tiktoken-file.ts';
import { type TokenizerJSON, tokenizerFromJSON, tokenizerToJSON } from './tokenizer-file.ts';
import { utf8Into } from './utf8.ts';

export interface TokenizerOptions {
  /** Shown in files and views; default `'bpe'`. */
  name?: string;
  /** Split pattern: a built-in name (`'cl100k_base'`), a RegExp or a RegExp source. */
  pattern: string | RegExp;
  /** Bytes of each token, indexed by rank (= id); gaps allowed. All 256 single bytes required. */
  ranks: readonly (Uint8Array | undefined)[] | RankTable;
  /** Special tokens and their ids (outside the ranks). */
  specialTokens?: Readonly<Record<string, number>> | ReadonlyMap<string, number>;
  /** The merges that built the ranks (from training), kept for the JSON file; not used to encode. */
  merges?: readonly (readonly [number, number])[];
  /** Pieces remembered with their ids; default 100,000 (0 turns the cache off). */
  cacheSize?: number;
}

const MAX_CACHED_PIECE_LENGTH = 64;
/** Keeps a leading U+FEFF (the default decoder would drop it as a byte order mark). */
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

export class Tokenizer {
  readonly name: string;
  /** The split pattern's JavaScript RegExp source. */
  readonly pattern: string;
  /** The built-in pattern name when the pattern is one of them. */
  readonly patternName: BuiltinPatternName | undefined;
  readonly ranks: RankTable;
  readonly specialTokens: ReadonlyMap<string, number>;
  readonly merges: readonly (readonly [number, number])[] | undefined;
  /** Largest id + 1, special tokens included. */
  readonly vocabSize: number;
  private readonly splitter: PieceEnd | RegExp;
  private readonly specialById = new Map<number, Uint8Array>();
  private readonly specialRegExp: RegExp | undefined;
  private readonly cache = new Map<string, number | number[]>();
  private readonly cacheSize: number;
  private buffer = new Uint8Array(1024);

  constructor(options: TokenizerOptions) {
    this.name = options.name ?? 'bpe';
    const resolved = resolvePattern(options.pattern);
    this.pattern = resolved.source;
    this.patternName = resolved.builtin;
    this.splitter = resolved.builtin
      ? builtinSplitter(resolved.builtin)
      : new RegExp(resolved.source, 'gu');
    this.ranks = options.ranks instanceof RankTable ? options.ranks : new RankTable(options.ranks);
    for (let byte = 0; byte < 256; byte++) {
      if (this.ranks.get(Uint8Array.of(byte), 0, 1) < 0) {
        throw new BpeError(
          `byte 0x${byte.toString(16).padStart(2, '0')} has no rank; a byte-level vocabulary needs all 256 single bytes`,
        );
      }
    }
    const special = new Map<string, number>(
      options.specialTokens instanceof Map
        ? options.specialTokens
        : Object.entries(options.specialTokens ?? {}),
    );
    let vocabSize = this.ranks.lengths.length;
    const encoder = new TextEncoder();
    for (const [name, id] of special) {
      if (name.length === 0) throw new BpeError('a special token has an empty name');
      if (!Number.isSafeInteger(id) || id < 0) {
        throw new BpeError(`special token ${name} has id ${id}; ids are integers >= 0`);
      }
      if (this.ranks.has(id)) {
        throw new BpeError(
          `special token ${name} has id ${id}, which is already the rank of a byte token; use an id >= ${this.ranks.lengths.length}`,
        );
      }
      if (this.specialById.has(id)) {
        throw new BpeError(`special tokens share id ${id}; each needs its own id`);
      }
      this.specialById.set(id, encoder.encode(name));
      vocabSize = Math.max(vocabSize, id + 1);
    }
    this.specialTokens = special;
    this.specialRegExp = specialTokenRegExp(special.keys());
    this.vocabSize = vocabSize;
    this.merges = options.merges;
    this.cacheSize = options.cacheSize ?? 100_000;
  }

  /** Builds a tokenizer from our JSON tokenizer file (parsed). */
  static fromJSON(json: unknown): Tokenizer {
    return tokenizerFromJSON(json);
  }

  /** Loads a tiktoken rank file, e.g. `cl100k_base.tiktoken` with `{ pattern: 'cl100k_base' }`. */
  static fromTiktokenFile(
    path: string,
    options?: Partial<TiktokenFileOptions>,
  ): Promise<Tokenizer> {
    return loadTiktokenFile(path, options);
  }

  /** Our JSON tokenizer file for this tokenizer. */
  toJSON(): TokenizerJSON {
    return tokenizerToJSON(this);
  }

  /** The id of a special token, or undefined. */
  specialTokenId(name: string): number | undefined {
    return this.specialTokens.get(name);
  }

  /** Whether `id` is a special token's id. */
  isSpecialId(id: number): boolean {
    return this.specialById.has(id);
  }

  /**
   * A tokenizer with more special tokens: a list gets ids from `vocabSize` upward, in order
   * (names already present keep their ids); a record sets ids explicitly.
   */
  withSpecialTokens(tokens: readonly string[] | Readonly<Record<string, number>>): Tokenizer {
    const special = new Map(this.specialTokens);
    if (Array.isArray(tokens)) {
      let next = this.vocabSize;
      for (const name of tokens) if (!special.has(name)) special.set(name, next++);
    } else {
      for (const [name, id] of Object.entries(tokens)) special.set(name, id);
    }
    return new Tokenizer({
      name: this.name,
      pattern: this.pattern,
      ranks: this.ranks,
      specialTokens: special,
      merges: this.merges,
      cacheSize: this.cacheSize,
    });
  }

  /** Forgets cached pieces (for benchmarks that compare cold caches). */
  clearCache(): void {
    this.cache.clear();
  }

  /** Encodes text as ordinary text: special-token strings become ordinary tokens. */
  encodeOrdinary(text: string): number[] {
    const out: number[] = [];
    this.encodeOrdinaryInto(text, 0, text.length, out);
    return out;
  }

  /**
   * Encodes text; special tokens named in `allowedSpecial` become their ids. Any other special
   * token spelled in the text is an error (as tiktoken's `disallowed_special`): use
   * `encodeOrdinary` to treat such text as plain text.
   */
  encode(text: string, options: { allowedSpecial?: AllowedSpecial } = {}): number[] {
    const regex = this.specialRegExp;
    const out: number[] = [];
    const allowed = resolveAllowed(options.allowedSpecial, this.specialTokens);
    if (!regex) {
      this.encodeOrdinaryInto(text, 0, text.length, out);
      return out;
    }
    let last = 0;
    regex.lastIndex = 0;
    for (let m = regex.exec(text); m !== null; m = regex.exec(text)) {
      const name = m[0];
      if (!allowed.has(name)) {
        throw new BpeError(
          `text contains the special token ${name} at offset ${m.index}, which is not allowed; pass allowedSpecial: [${JSON.stringify(name)}] (or 'all') to encode it as id ${this.specialTokens.get(name)}, or call encodeOrdinary() to encode it as plain text`,
        );
      }
      this.encodeOrdinaryInto(text, last, m.index, out);
      out.push(this.specialTokens.get(name)!);
      last = m.index + name.length;
    }
    this.encodeOrdinaryInto(text, last, text.length, out);
    return out;
  }

  /** Appends the ordinary encoding of text[start, end) to `out`. */
  encodeOrdinaryInto(text: string, start: number, end: number, out: number[]): void {
    const splitter = this.splitter;
    if (typeof splitter === 'function') {
      for (let i = start; i < end; ) {
        const j = splitter(text, i, end);
        this.encodePiece(text, i, j, out);
        i = j;
      }
    } else {
      forEachPiece(text, splitter, (s, e) => this.encodePiece(text, s, e, out), start, end);
    }
  }

  private encodePiece(text: string, start: number, end: number, out: number[]): void {
    const length = end - start;
    const ascii = this.ranks.getAscii(text, start, end);
    if (ascii >= 0) {
      out.push(ascii);
      return;
    }
    if (this.buffer.length < length * 3) this.buffer = new Uint8Array(length * 3 + 1024);
    const bytes = this.buffer;
    const byteLength = utf8Into(text, start, end, bytes);
    if (ascii === -2) {
      const rank = this.ranks.get(bytes, 0, byteLength);
      if (rank >= 0) {
        out.push(rank);
        return;
      }
    }
    if (length > MAX_CACHED_PIECE_LENGTH || this.cacheSize === 0) {
      bytePairMerge(this.ranks, bytes, byteLength, out);
      return;
    }
    const key = text.slice(start, end);
    const cached = this.cache.get(key);
    if (cached !== undefined) {
      if (typeof cached === 'number') out.push(cached);
      else for (let i = 0; i < cached.length; i++) out.push(cached[i]);
      return;
    }
    const before = out.length;
    bytePairMerge(this.ranks, bytes, byteLength, out);
    if (this.cache.size >= this.cacheSize) this.cache.clear();
    this.cache.set(key, out.length - before === 1 ? out[before] : out.slice(before));
  }

  /** The bytes of a token (a copy). Throws on an unknown id. */
  tokenToBytes(id: number): Uint8Array {
    if (this.ranks.has(id)) return this.ranks.bytesOf(id).slice();
    const special = this.specialById.get(id);
    if (special) return special.slice();
    throw this.unknownId(id, -1);
  }

  /** Concatenated bytes of the ids; ids may split a UTF-8 character. Throws on an unknown id. */
  decodeBytes(ids: readonly number[]): Uint8Array {
    const { lengths, offsets, arena } = this.ranks;
    let total = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (this.ranks.has(id)) total += lengths[id];
      else {
        const special = this.specialById.get(id);
        if (!special) throw this.unknownId(id, i);
        total += special.length;
      }
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      const length = lengths[id];
      if (length > 0 && id < lengths.length) {
        out.set(arena.subarray(offsets[id], offsets[id] + length), at);
        at += length;
      } else {
        const special = this.specialById.get(id)!;
        out.set(special, at);
        at += special.length;
      }
    }
    return out;
  }

  /** Decodes ids to text (invalid UTF-8 becomes U+FFFD). */
  decode(ids: readonly number[]): string {
    return decoder.decode(this.decodeBytes(ids));
  }

  private unknownId(id: number, position: number): BpeError {
    const where = position >= 0 ? ` at position ${position}` : '';
    return new BpeError(
      `id ${id}${where} is not in the vocabulary; ids are the ranks 0..${this.ranks.lengths.length - 1} and the special ids ${[...this.specialById.keys()].join(', ') || '(none)'}`,
    );
  }
}
