// getEncoding / encodingForModel: the shipped rank data equals tiktoken's rank files rank for rank,
// and encodes as the references (gpt-tokenizer's TestPlans.txt, js-tiktoken); errors say what to pass.
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { getEncodingNameForModel, type TiktokenModel } from 'js-tiktoken';
import { describe, expect, it } from 'vitest';
import { awkwardString } from './__fixtures__/arbitraries.ts';
import { gptTokenizerData, referenceTokenizer, testPlans } from './__fixtures__/reference.ts';
import { BpeError } from './errors.ts';
import { type EncodingName, encodingForModel, getEncoding } from './get-encoding.ts';
import { chatSpecialTokens } from './special-tokens.ts';
import { loadTiktokenFile } from './tiktoken-file.ts';
import { Tokenizer } from './tokenizer.ts';

const shipped = ['r50k_base', 'p50k_base', 'cl100k_base', 'o200k_base'] as const;

describe('getEncoding', () => {
  for (const name of shipped) {
    it(`${name}: ships every rank of tiktoken's ${name}.tiktoken, byte for byte`, async () => {
      const ours = getEncoding(name).ranks;
      const file = (await loadTiktokenFile(join(gptTokenizerData, `${name}.tiktoken`))).ranks;
      expect(ours.size).toBe(file.size);
      expect(ours.lengths).toEqual(file.lengths);
      expect(Buffer.from(ours.arena).equals(Buffer.from(file.arena))).toBe(true);
    });
  }

  it('encodes every TestPlans.txt case as tiktoken, p50k_base and p50k_edit included', () => {
    const plans = testPlans();
    const names = new Set(plans.map((p) => p.encoding));
    expect([...names].sort()).toEqual([
      'cl100k_base',
      'o200k_base',
      'p50k_base',
      'p50k_edit',
      'r50k_base',
    ]);
    for (const plan of plans) {
      const tokenizer = getEncoding(plan.encoding as EncodingName);
      expect(tokenizer.encode(plan.sample, { allowedSpecial: 'all' }), plan.sample).toEqual(
        plan.encoded,
      );
    }
  });

  for (const name of [...shipped, 'p50k_edit', 'gpt2'] as const) {
    it(`${name}: equals js-tiktoken on random awkward strings around special tokens`, () => {
      const ours = getEncoding(name);
      const reference = referenceTokenizer(name as 'cl100k_base');
      expect(ours.vocabSize).toBe(
        Math.max(...ours.specialTokens.values(), ours.ranks.lengths.length - 1) + 1,
      );
      fc.assert(
        fc.property(
          awkwardString,
          fc.constantFrom(...ours.specialTokens.keys()),
          (text, special) => {
            const withSpecial = `${text}${special}${text}`;
            expect(ours.encode(withSpecial, { allowedSpecial: 'all' })).toEqual(
              reference.encode(withSpecial, 'all'),
            );
          },
        ),
        { seed: 17, numRuns: 100 },
      );
    }, 60_000); // js-tiktoken's o200k_base alone takes seconds to build on a busy machine
  }

  it('adds special tokens past the vocabulary and returns a fresh tokenizer per call', () => {
    const chat = getEncoding('cl100k_base', { specialTokens: chatSpecialTokens });
    expect(chat.specialTokenId('<|endoftext|>')).toBe(100257);
    expect(chat.specialTokenId('<|im_start|>')).toBe(100277);
    expect(chat.encode('<|im_start|>hi', { allowedSpecial: 'all' })).toEqual([100277, 6151]);
    expect(getEncoding('cl100k_base').specialTokenId('<|im_start|>')).toBeUndefined();
    expect(getEncoding('o200k_base', { specialTokens: { '<|x|>': 300000 } }).vocabSize).toBe(
      300001,
    );
  });

  it('rejects unknown names and malformed options with what to pass', () => {
    expect(() => getEncoding('cl100k' as EncodingName)).toThrow(
      /unknown encoding "cl100k" \(did you mean cl100k_base\?\); pass one of gpt2, r50k_base, p50k_base, p50k_edit, cl100k_base, o200k_base/,
    );
    expect(() => getEncoding(undefined as unknown as EncodingName)).toThrow(BpeError);
    expect(() => getEncoding('r50k_base', 'all' as never)).toThrow(
      /options is "all"; pass an object/,
    );
    expect(() => getEncoding('r50k_base', { special: [] } as never)).toThrow(
      /unknown option "special"; the one option is specialTokens/,
    );
    expect(() => getEncoding('r50k_base', { specialTokens: [1] } as never)).toThrow(
      /specialTokens is \[1\]; pass a list of names/,
    );
  });
});

describe('encodingForModel', () => {
  const models: TiktokenModel[] = [
    'gpt-4o',
    'gpt-4o-mini',
    'gpt-4o-2024-08-06',
    'chatgpt-4o-latest',
    'gpt-4.1-nano',
    'gpt-4.5-preview',
    'gpt-5',
    'gpt-5-mini-2025-08-07',
    'o1',
    'o1-mini',
    'o3-mini',
    'o4-mini',
    'o4-mini-2025-04-16',
    'gpt-4',
    'gpt-4-32k',
    'gpt-4-turbo-2024-04-09',
    'gpt-3.5-turbo',
    'gpt-3.5-turbo-16k-0613',
    'gpt-35-turbo',
    'text-embedding-3-small',
    'text-embedding-ada-002',
    'text-davinci-003',
    'text-davinci-001',
    'davinci',
    'ada',
    'code-cushman-001',
    'davinci-codex',
    'text-davinci-edit-001',
    'code-davinci-edit-001',
    'text-similarity-ada-001',
    'code-search-babbage-code-001',
    'gpt2',
  ];
  it.each(models)('%s: the encoding js-tiktoken picks', (model) => {
    expect(encodingForModel(model).name).toBe(getEncodingNameForModel(model));
  });

  it('follows tiktoken (Python) where js-tiktoken 1.0.21 differs: davinci-002 and babbage-002', () => {
    // tiktoken's model.py maps both to cl100k_base; js-tiktoken says p50k_base / r50k_base.
    expect(encodingForModel('davinci-002').name).toBe('cl100k_base');
    expect(encodingForModel('babbage-002').name).toBe('cl100k_base');
  });

  it('reads dated and fine-tuned names by prefix and rejects unknown models', () => {
    expect(encodingForModel('gpt-4o-2099-01-01').name).toBe('o200k_base');
    expect(encodingForModel('ft:gpt-4o-mini:org::abc').name).toBe('o200k_base');
    expect(encodingForModel('ft:gpt-3.5-turbo:org::abc').name).toBe('cl100k_base');
    expect(() => encodingForModel('gpt4o')).toThrow(
      /unknown model "gpt4o" \(did you mean gpt-4o\?\); pass an OpenAI model name/,
    );
  });
});

describe('Tokenizer.fromTiktokenFile without options', () => {
  it('takes the pattern from a built-in file name and otherwise says to pass one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bpe-tiktoken-'));
    try {
      const cl100k = await Tokenizer.fromTiktokenFile(
        join(gptTokenizerData, 'cl100k_base.tiktoken'),
      );
      expect(cl100k.patternName).toBe('cl100k_base');
      expect(cl100k.encode('hello world <|endoftext|>', { allowedSpecial: 'all' })).toEqual([
        15339, 1917, 220, 100257,
      ]);
      const renamed = join(dir, 'mine.tiktoken');
      await copyFile(join(gptTokenizerData, 'r50k_base.tiktoken'), renamed);
      await expect(Tokenizer.fromTiktokenFile(renamed)).rejects.toThrow(
        /no split pattern; pass \{ pattern: 'cl100k_base' \}/,
      );
      const mine = await Tokenizer.fromTiktokenFile(renamed, { pattern: 'r50k_base' });
      expect(mine.encode('hello world')).toEqual([31373, 995]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
