// OpenAI's encodings by name (`getEncoding('cl100k_base')`) and by model (`encodingForModel('gpt-4o')`),
// from the rank data shipped in ../ranks; encodes exactly as tiktoken. The model table follows
// tiktoken's model.py (exact names, then prefixes for dated variants; davinci-002 and babbage-002 are
// cl100k_base there, unlike in js-tiktoken 1.0.21); it leaves out o200k_harmony.
import { readFileSync } from 'node:fs';
import { BpeError } from './errors.ts';
import type { BuiltinPatternName } from './patterns.ts';
import { decodeRankData } from './rank-data.ts';
import type { RankTable } from './rank-table.ts';
import { builtinSpecialTokens } from './special-tokens.ts';
import { Tokenizer } from './tokenizer.ts';

export type EncodingName =
  | 'gpt2'
  | 'r50k_base'
  | 'p50k_base'
  | 'p50k_edit'
  | 'cl100k_base'
  | 'o200k_base';

interface EncodingSpec {
  ranks: 'r50k_base' | 'p50k_base' | 'cl100k_base' | 'o200k_base';
  pattern: BuiltinPatternName;
  specialTokens: Readonly<Record<string, number>>;
}

const encodings: Readonly<Record<EncodingName, EncodingSpec>> = {
  gpt2: { ranks: 'r50k_base', pattern: 'r50k_base', specialTokens: builtinSpecialTokens.r50k_base },
  r50k_base: {
    ranks: 'r50k_base',
    pattern: 'r50k_base',
    specialTokens: builtinSpecialTokens.r50k_base,
  },
  p50k_base: {
    ranks: 'p50k_base',
    pattern: 'r50k_base',
    specialTokens: { '<|endoftext|>': 50256 },
  },
  p50k_edit: {
    ranks: 'p50k_base',
    pattern: 'r50k_base',
    specialTokens: {
      '<|endoftext|>': 50256,
      '<|fim_prefix|>': 50281,
      '<|fim_middle|>': 50282,
      '<|fim_suffix|>': 50283,
    },
  },
  cl100k_base: {
    ranks: 'cl100k_base',
    pattern: 'cl100k_base',
    specialTokens: builtinSpecialTokens.cl100k_base,
  },
  o200k_base: {
    ranks: 'o200k_base',
    pattern: 'o200k_base',
    specialTokens: builtinSpecialTokens.o200k_base,
  },
};

/** The encoding names `getEncoding` accepts. */
export const encodingNames: readonly EncodingName[] = Object.freeze(
  Object.keys(encodings) as EncodingName[],
);

const modelEncodings: Readonly<Record<string, EncodingName>> = {
  // chat
  'gpt-5': 'o200k_base',
  'gpt-4.5': 'o200k_base',
  'gpt-4.1': 'o200k_base',
  'gpt-4o': 'o200k_base',
  o1: 'o200k_base',
  o3: 'o200k_base',
  'o4-mini': 'o200k_base',
  'gpt-4': 'cl100k_base',
  'gpt-3.5-turbo': 'cl100k_base',
  'gpt-3.5': 'cl100k_base',
  'gpt-35-turbo': 'cl100k_base',
  // base
  'davinci-002': 'cl100k_base',
  'babbage-002': 'cl100k_base',
  // embeddings
  'text-embedding-ada-002': 'cl100k_base',
  'text-embedding-3-small': 'cl100k_base',
  'text-embedding-3-large': 'cl100k_base',
  // legacy completions and code
  'text-davinci-003': 'p50k_base',
  'text-davinci-002': 'p50k_base',
  'text-davinci-001': 'r50k_base',
  'text-curie-001': 'r50k_base',
  'text-babbage-001': 'r50k_base',
  'text-ada-001': 'r50k_base',
  davinci: 'r50k_base',
  curie: 'r50k_base',
  babbage: 'r50k_base',
  ada: 'r50k_base',
  'code-davinci-002': 'p50k_base',
  'code-davinci-001': 'p50k_base',
  'code-cushman-002': 'p50k_base',
  'code-cushman-001': 'p50k_base',
  'davinci-codex': 'p50k_base',
  'cushman-codex': 'p50k_base',
  'text-davinci-edit-001': 'p50k_edit',
  'code-davinci-edit-001': 'p50k_edit',
  'text-similarity-davinci-001': 'r50k_base',
  'text-similarity-curie-001': 'r50k_base',
  'text-similarity-babbage-001': 'r50k_base',
  'text-similarity-ada-001': 'r50k_base',
  'text-search-davinci-doc-001': 'r50k_base',
  'text-search-curie-doc-001': 'r50k_base',
  'text-search-babbage-doc-001': 'r50k_base',
  'text-search-ada-doc-001': 'r50k_base',
  'code-search-babbage-code-001': 'r50k_base',
  'code-search-ada-code-001': 'r50k_base',
  gpt2: 'gpt2',
};

/** Model-name prefixes (dated and variant names such as `gpt-4o-mini-2024-07-18`), longest first. */
const modelPrefixes: readonly (readonly [string, EncodingName])[] = [
  ['ft:gpt-3.5-turbo', 'cl100k_base'],
  ['ft:davinci-002', 'cl100k_base'],
  ['ft:babbage-002', 'cl100k_base'],
  ['ft:gpt-4o', 'o200k_base'],
  ['ft:gpt-4', 'cl100k_base'],
  ['chatgpt-4o-', 'o200k_base'],
  ['gpt-3.5-turbo-', 'cl100k_base'],
  ['gpt-35-turbo-', 'cl100k_base'],
  ['o4-mini-', 'o200k_base'],
  ['gpt-4.5-', 'o200k_base'],
  ['gpt-4.1-', 'o200k_base'],
  ['gpt-4o-', 'o200k_base'],
  ['gpt-5-', 'o200k_base'],
  ['gpt-4-', 'cl100k_base'],
  ['o1-', 'o200k_base'],
  ['o3-', 'o200k_base'],
];

export interface GetEncodingOptions {
  /**
   * More special tokens: a list gets ids from the encoding's vocabulary size upward (e.g.
   * `chatSpecialTokens`), a record sets ids explicitly.
   */
  specialTokens?: readonly string[] | Readonly<Record<string, number>>;
}

const rankTables = new Map<string, RankTable>();

function rankTable(name: EncodingSpec['ranks']): RankTable {
  let table = rankTables.get(name);
  if (!table) {
    const url = new URL(`../ranks/${name}.ranks.br`, import.meta.url);
    let bytes: Buffer;
    try {
      bytes = readFileSync(url);
    } catch (error) {
      throw new BpeError(
        `the rank data of ${name} is missing (${(error as Error).message}); @lmkit/bpe ships it in ranks/: reinstall the package`,
      );
    }
    table = decodeRankData(bytes, `ranks/${name}.ranks.br`);
    rankTables.set(name, table);
  }
  return table;
}

function closest(value: string, names: readonly string[]): string {
  let best = names[0];
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const name of names) {
    const distance = editDistance(value.toLowerCase(), name);
    if (distance < bestDistance) [best, bestDistance] = [name, distance];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(
        previous[j] + 1,
        row[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    previous = row;
  }
  return previous[b.length];
}

function checkOptions(options: unknown, call: string): GetEncodingOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new BpeError(
      `${call}: options is ${JSON.stringify(options)}; pass an object such as { specialTokens: chatSpecialTokens } or leave it out`,
    );
  for (const key of Object.keys(options))
    if (key !== 'specialTokens')
      throw new BpeError(
        `${call}: unknown option ${JSON.stringify(key)}; the one option is specialTokens`,
      );
  const { specialTokens } = options as GetEncodingOptions;
  const valid =
    specialTokens === undefined ||
    (Array.isArray(specialTokens) && specialTokens.every((t) => typeof t === 'string')) ||
    (typeof specialTokens === 'object' &&
      specialTokens !== null &&
      !Array.isArray(specialTokens) &&
      Object.values(specialTokens).every((id) => typeof id === 'number'));
  if (!valid)
    throw new BpeError(
      `${call}: specialTokens is ${JSON.stringify(specialTokens)}; pass a list of names (e.g. ['<|im_start|>', '<|im_end|>']) or a record of names to ids`,
    );
  return options as GetEncodingOptions;
}

/**
 * One of OpenAI's encodings, e.g. `getEncoding('cl100k_base').encode('hello world')` →
 * `[15339, 1917]`. The rank data is read once per process; each call returns a new Tokenizer.
 */
export function getEncoding(name: EncodingName, options?: GetEncodingOptions): Tokenizer {
  if (typeof name !== 'string' || !Object.hasOwn(encodings, name)) {
    const hint = typeof name === 'string' ? ` (did you mean ${closest(name, encodingNames)}?)` : '';
    throw new BpeError(
      `getEncoding: unknown encoding ${JSON.stringify(name)}${hint}; pass one of ${encodingNames.join(', ')}, or encodingForModel(model) for a model name`,
    );
  }
  const { specialTokens } = checkOptions(options, 'getEncoding');
  const spec = encodings[name];
  const tokenizer = new Tokenizer({
    name,
    pattern: spec.pattern,
    ranks: rankTable(spec.ranks),
    specialTokens: spec.specialTokens,
  });
  return specialTokens ? tokenizer.withSpecialTokens(specialTokens) : tokenizer;
}

/** The encoding name an OpenAI model uses, e.g. `'gpt-4o'` → `'o200k_base'`; undefined if unknown. */
export function encodingNameForModel(model: string): EncodingName | undefined {
  if (Object.hasOwn(modelEncodings, model)) return modelEncodings[model];
  for (const [prefix, encoding] of modelPrefixes) if (model.startsWith(prefix)) return encoding;
  return undefined;
}

/** The encoding of an OpenAI model, as js-tiktoken's `encodingForModel('gpt-4o')`. */
export function encodingForModel(model: string, options?: GetEncodingOptions): Tokenizer {
  const name = typeof model === 'string' ? encodingNameForModel(model) : undefined;
  if (!name) {
    const hint =
      typeof model === 'string'
        ? ` (did you mean ${closest(model, Object.keys(modelEncodings))}?)`
        : '';
    throw new BpeError(
      `encodingForModel: unknown model ${JSON.stringify(model)}${hint}; pass an OpenAI model name such as gpt-4o, gpt-4 or text-davinci-003, or call getEncoding(${encodingNames.map((n) => `'${n}'`).join(' | ')})`,
    );
  }
  checkOptions(options, 'encodingForModel');
  return getEncoding(name, options);
}
