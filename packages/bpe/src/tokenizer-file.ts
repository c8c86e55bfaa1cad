// Our JSON tokenizer file: name, pattern, ranks (base64 bytes by id) and/or merges, special tokens
// with ids, format version. `fromJSON(toJSON(t))` rebuilds the same tokenizer, and writes the same JSON.
import { readFile, writeFile } from 'node:fs/promises';
import { BpeError } from './errors.ts';
import { Tokenizer } from './tokenizer.ts';

export const TOKENIZER_FORMAT = 'lmkit-bpe';
export const TOKENIZER_FORMAT_VERSION = 1;

export interface TokenizerJSON {
  format: typeof TOKENIZER_FORMAT;
  version: 1;
  name: string;
  /** JavaScript RegExp source of the split pattern (built-ins are recognised by their source). */
  pattern: string;
  /** base64 bytes of each rank (= id); null for an unused rank. Optional when `merges` is given. */
  ranks?: (string | null)[];
  /** Byte-level merges `[left, right]`; merge i makes id 256 + i. Optional when `ranks` is given. */
  merges?: [number, number][];
  specialTokens: Record<string, number>;
}

function fail(message: string): never {
  throw new BpeError(`tokenizer file: ${message}`);
}

function ranksFromMerges(merges: unknown[]): Uint8Array[] {
  const tokens: Uint8Array[] = [];
  for (let b = 0; b < 256; b++) tokens.push(Uint8Array.of(b));
  merges.forEach((merge, i) => {
    const id = 256 + i;
    if (
      !Array.isArray(merge) ||
      merge.length !== 2 ||
      !merge.every((x) => Number.isInteger(x) && x >= 0 && x < id)
    ) {
      fail(
        `merges[${i}] is ${JSON.stringify(merge)}; each merge is [left, right] with ids below ${id}`,
      );
    }
    const [a, b] = merge as [number, number];
    const bytes = new Uint8Array(tokens[a].length + tokens[b].length);
    bytes.set(tokens[a]);
    bytes.set(tokens[b], tokens[a].length);
    tokens.push(bytes);
  });
  return tokens;
}

/** Builds a tokenizer from a parsed JSON tokenizer file, checking every field. */
export function tokenizerFromJSON(json: unknown): Tokenizer {
  if (typeof json !== 'object' || json === null) fail('expected a JSON object');
  const obj = json as Record<string, unknown>;
  if (obj.format !== TOKENIZER_FORMAT) {
    fail(`format is ${JSON.stringify(obj.format)}; expected ${JSON.stringify(TOKENIZER_FORMAT)}`);
  }
  if (obj.version !== TOKENIZER_FORMAT_VERSION) {
    fail(
      `version is ${JSON.stringify(obj.version)}; this reader supports version ${TOKENIZER_FORMAT_VERSION}`,
    );
  }
  if (typeof obj.name !== 'string') fail('name must be a string');
  if (typeof obj.pattern !== 'string') fail('pattern must be a RegExp source string');
  if (obj.ranks === undefined && obj.merges === undefined) fail('needs ranks or merges');
  if (obj.merges !== undefined && !Array.isArray(obj.merges)) fail('merges must be an array');
  let ranks: (Uint8Array | undefined)[];
  if (obj.ranks !== undefined) {
    if (!Array.isArray(obj.ranks)) fail('ranks must be an array of base64 strings');
    ranks = obj.ranks.map((entry, id) => {
      if (entry === null) return undefined;
      if (typeof entry !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(entry) || entry.length % 4) {
        fail(`ranks[${id}] is ${JSON.stringify(entry)}; expected base64 bytes or null`);
      }
      return new Uint8Array(Buffer.from(entry, 'base64'));
    });
    if (obj.merges) {
      const rebuilt = ranksFromMerges(obj.merges as unknown[]);
      rebuilt.forEach((bytes, id) => {
        if (!ranks[id] || Buffer.compare(ranks[id], bytes) !== 0) {
          fail(
            `merges give id ${id} the bytes ${Buffer.from(bytes).toString('base64')}, but ranks[${id}] is ${JSON.stringify(obj.ranks && (obj.ranks as unknown[])[id])}`,
          );
        }
      });
    }
  } else {
    ranks = ranksFromMerges(obj.merges as unknown[]);
  }
  const special = obj.specialTokens ?? {};
  if (typeof special !== 'object' || special === null || Array.isArray(special)) {
    fail('specialTokens must be an object of name → id');
  }
  for (const [name, id] of Object.entries(special)) {
    if (!Number.isInteger(id) || (id as number) < 0) {
      fail(
        `specialTokens[${JSON.stringify(name)}] is ${JSON.stringify(id)}; expected an integer id >= 0`,
      );
    }
  }
  return new Tokenizer({
    name: obj.name,
    pattern: obj.pattern,
    ranks,
    specialTokens: special as Record<string, number>,
    merges: obj.merges as [number, number][] | undefined,
  });
}

/** The JSON tokenizer file of a tokenizer. */
export function tokenizerToJSON(tokenizer: Tokenizer): TokenizerJSON {
  const ranks: (string | null)[] = [];
  const { lengths } = tokenizer.ranks;
  for (let id = 0; id < lengths.length; id++) {
    ranks.push(
      lengths[id] > 0 ? Buffer.from(tokenizer.ranks.bytesOf(id)).toString('base64') : null,
    );
  }
  const json: TokenizerJSON = {
    format: TOKENIZER_FORMAT,
    version: TOKENIZER_FORMAT_VERSION,
    name: tokenizer.name,
    pattern: tokenizer.pattern,
    ranks,
    specialTokens: Object.fromEntries(tokenizer.specialTokens),
  };
  if (tokenizer.merges) json.merges = tokenizer.merges.map(([a, b]) => [a, b]);
  return json;
}

/** Reads a JSON tokenizer file. */
export async function loadTokenizer(path: string): Promise<Tokenizer> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new BpeError(`cannot read tokenizer file ${path}: ${(error as Error).message}`);
  }
  return tokenizerFromJSON(json);
}

/** Writes a JSON tokenizer file. */
export async function saveTokenizer(tokenizer: Tokenizer, path: string): Promise<void> {
  await writeFile(path, `${JSON.stringify(tokenizerToJSON(tokenizer))}\n`);
}
