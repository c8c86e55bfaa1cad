// Test helpers: the reference data that the exactness tests read (gpt-tokenizer's rank files and
// TestPlans.txt, js-tiktoken encoders, our small corpora). Loaded once per test file.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getEncoding, type Tiktoken } from 'js-tiktoken';
import type { BuiltinPatternName } from '../patterns.ts';
import { loadTiktokenFile } from '../tiktoken-file.ts';
import type { Tokenizer } from '../tokenizer.ts';

const require = createRequire(import.meta.url);
export const gptTokenizerData = join(dirname(require.resolve('gpt-tokenizer/package.json')), 'data');
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..', '..', '..');

const ours = new Map<string, Promise<Tokenizer>>();
export function ourTokenizer(name: BuiltinPatternName): Promise<Tokenizer> {
  let t = ours.get(name);
  if (!t) {
    t = loadTiktokenFile(join(gptTokenizerData, `${name}.tiktoken`), { pattern: name });
    ours.set(name, t);
  }
  return t;
}

const references = new Map<string, Tiktoken>();
export function referenceTokenizer(name: BuiltinPatternName): Tiktoken {
  let t = references.get(name);
  if (!t) {
    t = getEncoding(name);
    references.set(name, t);
  }
  return t;
}

export interface TestPlan {
  encoding: string;
  sample: string;
  encoded: number[];
}

/** gpt-tokenizer's TestPlans.txt: blocks of `EncodingName:`, `Sample:`, `Encoded:` lines. */
export function testPlans(): TestPlan[] {
  const text = readFileSync(join(gptTokenizerData, 'TestPlans.txt'), 'utf8');
  return text
    .split(/\n\n(?=EncodingName: )/)
    .map((block) => {
      const m = /^EncodingName: (\S+)\nSample: ([\s\S]*)\nEncoded: (\[.*\])\s*$/.exec(block);
      if (!m) throw new Error(`unparsed TestPlans block ${JSON.stringify(block.slice(0, 80))}`);
      return { encoding: m[1], sample: m[2], encoded: JSON.parse(m[3]) as number[] };
    });
}

export function corpus(name: 'shakespeare' | 'chinese' | 'code'): string {
  if (name === 'shakespeare') return readFileSync(join(repoRoot, 'data/text/tinyshakespeare.txt'), 'utf8');
  const file = name === 'chinese' ? 'manpages-zh.txt' : 'typescript-lib.es5.d.ts.txt';
  return readFileSync(join(here, file), 'utf8');
}
