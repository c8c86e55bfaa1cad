// Evals on a tiny seeded random GPT (byte tokenizer with the chat markers) and on scorers whose
// answers are known: every number is checked against an independent float64 computation from the
// model's logits, or against a closed form (a uniform model sits exactly at chance).

import { readFileSync } from 'node:fs';
import { render } from '@lmkit/chat-template';
import { byteTokenizer } from '@lmkit/chat-template/testing';
import { GPT, setBackend, tf } from '@lmkit/gpt-model';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  clozeTask,
  evaluateBitsPerByte,
  evaluateMultipleChoice,
  evaluatePreferenceAccuracy,
  evaluateWinRate,
  gptScorer,
  heldOutText,
  implicitReward,
  readMultipleChoice,
  replyLogProb,
  rewardModelScore,
  type SequenceScorer,
} from './index.ts';

const tokenizer = byteTokenizer();
const fixture = (name: string) => new URL(`./__fixtures__/${name}`, import.meta.url).pathname;
const shakespeare = readFileSync(
  new URL('../../../data/text/tinyshakespeare.txt', import.meta.url),
  'utf8',
);
let model: GPT;

beforeAll(async () => {
  await setBackend('cpu');
  const config = {
    vocabSize: tokenizer.vocabSize,
    blockSize: 96,
    nLayer: 1,
    nHead: 2,
    nEmbd: 16,
    dropout: 0,
    bias: true,
  };
  model = new GPT(config, { seed: 7 });
});

/** ln p(ids[t+1] | ids[..t]) straight from the logits, log-softmax in float64. */
function referenceLogProbs(ids: number[]): number[] {
  const logits = model.logits([ids.slice(0, -1)]);
  const rows = (logits.arraySync() as number[][][])[0];
  logits.dispose();
  return rows.map((row, t) => {
    const max = Math.max(...row);
    const logSum = Math.log(row.reduce((sum, v) => sum + Math.exp(v - max), 0)) + max;
    return row[ids[t + 1]] - logSum;
  });
}

/** A uniform model: every token has probability 1 / V. */
const uniform = (contextLength: number, seen?: number[][]): SequenceScorer => ({
  contextLength,
  async tokenLogProbs(sequences) {
    seen?.push(...sequences.map((s) => [...s]));
    return sequences.map((s) =>
      new Float64Array(s.length - 1).fill(-Math.log(tokenizer.vocabSize)),
    );
  },
});

/** A byte n-gram model fitted on `text`, backing off to the longest history it has seen: it has memorised the text. */
function ngram(text: string, order: number): SequenceScorer {
  const counts = new Map<string, number>();
  const bytes = tokenizer.encodeOrdinary(text);
  for (let i = 0; i < bytes.length; i++) {
    for (let n = 0; n <= order && n <= i; n++) {
      const history = bytes.slice(i - n, i).join(',');
      counts.set(`${history}|${bytes[i]}`, (counts.get(`${history}|${bytes[i]}`) ?? 0) + 1);
      counts.set(`${history}|`, (counts.get(`${history}|`) ?? 0) + 1);
    }
  }
  return {
    contextLength: 64,
    async tokenLogProbs(sequences) {
      return sequences.map((s) =>
        Float64Array.from(s.slice(1), (id, t) => {
          let n = Math.min(order, t + 1);
          while (n > 0 && !counts.has(`${s.slice(t + 1 - n, t + 1).join(',')}|`)) n--;
          const history = s.slice(t + 1 - n, t + 1).join(',');
          const seen = counts.get(`${history}|`) ?? 0;
          return Math.log(
            ((counts.get(`${history}|${id}`) ?? 0) + 1e-3) / (seen + 1e-3 * tokenizer.vocabSize),
          );
        }),
      );
    },
  };
}

describe('gptScorer', () => {
  it('matches a float64 log-softmax of the logits, and padding in a batch changes nothing', async () => {
    const a = tokenizer.encodeOrdinary('To be, or not to be');
    const b = tokenizer.encodeOrdinary('Ay');
    const scorer = gptScorer(model, { batchSize: 2 });
    const [ta, tb] = await scorer.tokenLogProbs([a, b]);
    expect(ta.length).toBe(a.length - 1);
    const ra = referenceLogProbs(a);
    const rb = referenceLogProbs(b);
    for (let t = 0; t < ra.length; t++) expect(ta[t]).toBeCloseTo(ra[t], 4);
    for (let t = 0; t < rb.length; t++) expect(tb[t]).toBeCloseTo(rb[t], 4);
    const alone = (await scorer.tokenLogProbs([b]))[0];
    expect(Array.from(alone)).toEqual(Array.from(tb));
    await expect(scorer.tokenLogProbs([a.concat(a, a, a, a, a, a)])).rejects.toThrow(
      /133 tokens; a scored sequence needs 2 to 97/,
    );
  });

  it('leaves no tensors behind', async () => {
    const scorer = gptScorer(model);
    await scorer.tokenLogProbs([[1, 2, 3]]);
    const before = tf.memory().numTensors;
    await scorer.tokenLogProbs([
      [1, 2, 3],
      [4, 5],
    ]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('multiple choice', () => {
  it('reads the HellaSwag, ARC (both forms) and MMLU layouts as lm-eval prompts them', async () => {
    const [tea, repot] = await readMultipleChoice({
      path: fixture('hellaswag.jsonl'),
      layout: 'hellaswag',
    });
    expect(tea.context).toBe(
      'Making tea: A woman fills a kettle with water and sets it on the stove. she',
    );
    expect(tea.choices[0]).toBe(
      ' waits for it to boil, then pours the water over a tea bag in a mug.',
    );
    expect(repot).toMatchObject({ label: 1, id: '2' });
    expect(repot.context).toBe('Home and Garden: How to repot a plant. Choose a bigger pot.');
    const arc = await readMultipleChoice({ path: fixture('arc.jsonl'), layout: 'arc' });
    expect(arc.map((i) => [i.label, i.choices.length])).toEqual([
      [1, 4],
      [0, 3],
    ]);
    expect(arc[0].context).toBe('Question: Which of these is a source of light?\nAnswer:');
    const mmlu = await readMultipleChoice({ path: fixture('mmlu.jsonl'), layout: 'mmlu' });
    expect(mmlu.map((i) => i.label)).toEqual([1, 2]);
    expect(mmlu[0].choices).toEqual([' A', ' B', ' C', ' D']);
    expect(mmlu[0].context).toBe(
      'The following are multiple choice questions (with answers) about elementary mathematics.\n\nWhat is 7 × 8?\nA. 54\nB. 56\nC. 58\nD. 64\nAnswer:',
    );
    await expect(
      readMultipleChoice({ path: fixture('arc.jsonl'), layout: 'mmlu' }),
    ).rejects.toThrow(/arc\.jsonl:1: an mmlu row needs question and choices/);
  });

  it('picks the most likely choice as computed from the logits, chance beside it', async () => {
    const items = [
      ...(await readMultipleChoice({ path: fixture('hellaswag.jsonl'), layout: 'hellaswag' })),
      ...(await readMultipleChoice({ path: fixture('arc.jsonl'), layout: 'arc' })),
    ];
    const result = await evaluateMultipleChoice({ scorer: gptScorer(model), tokenizer, items });
    const expected = items.map((item) => {
      const context = tokenizer.encodeOrdinary(item.context);
      const scores = item.choices.map((choice) => {
        const continuation = tokenizer.encodeOrdinary(choice);
        const ids = [...context, ...continuation].slice(-97);
        return referenceLogProbs(ids)
          .slice(-continuation.length)
          .reduce((a, b) => a + b, 0);
      });
      return scores.indexOf(Math.max(...scores));
    });
    expect(result.predictions).toEqual(expected);
    expect(result.accuracy).toBe(
      expected.filter((p, i) => p === items[i].label).length / items.length,
    );
    expect(result.chance).toBeCloseTo((1 / 4 + 1 / 4 + 1 / 4 + 1 / 3) / 4, 12);
    expect(result.count).toBe(4);
  });
});

describe('bits per byte', () => {
  const text = heldOutText(shakespeare, 0.001);

  it('a uniform model scores exactly chance, and every token is predicted once', async () => {
    const seen: number[][] = [];
    const result = await evaluateBitsPerByte({ scorer: uniform(40, seen), tokenizer, text });
    expect(result.bitsPerByte).toBeCloseTo(result.chance, 12);
    expect(result.chance).toBeCloseTo(Math.log2(tokenizer.vocabSize), 12); // one byte per token
    const eot = tokenizer.specialTokenId('<|endoftext|>')!;
    expect(seen.every((s) => s[0] === eot && s.length <= 41)).toBe(true);
    expect(seen.flatMap((s) => s.slice(1))).toEqual(tokenizer.encodeOrdinary(text));
    expect(result).toMatchObject({
      tokens: result.bytes,
      bytes: new TextEncoder().encode(text).length,
    });
  });

  it('a random GPT is near chance; a model that memorised the text is far below it', async () => {
    const random = await evaluateBitsPerByte({
      scorer: gptScorer(model),
      tokenizer,
      text: text.slice(0, 400),
    });
    expect(random.bitsPerByte / random.chance).toBeGreaterThan(0.95);
    expect(random.bitsPerByte / random.chance).toBeLessThan(1.1);
    const memorised = await evaluateBitsPerByte({ scorer: ngram(text, 6), tokenizer, text });
    expect(memorised.bitsPerByte).toBeLessThan(1); // chance is 8.03
  });
});

describe('preference accuracy', () => {
  const pairs = [
    {
      prompt: [{ role: 'user' as const, content: 'Hi' }],
      chosen: [{ role: 'assistant' as const, content: 'Hello there!' }],
      rejected: [{ role: 'assistant' as const, content: 'No.' }],
    },
    {
      prompt: [{ role: 'user' as const, content: 'Name a colour' }],
      chosen: [{ role: 'assistant' as const, content: 'Red' }],
      rejected: [{ role: 'assistant' as const, content: 'Banana split' }],
    },
    {
      prompt: [{ role: 'user' as const, content: 'Yes?' }],
      chosen: [{ role: 'assistant' as const, content: 'abc' }],
      rejected: [{ role: 'assistant' as const, content: 'xyz' }],
    },
  ];

  it('counts wins, ties as half, and the margin', async () => {
    const length = (_: unknown, reply: { content: string }[]) => reply[0].content.length;
    const result = await evaluatePreferenceAccuracy({ pairs, score: length });
    expect(result).toEqual({
      accuracy: (1 + 0.5) / 3,
      chance: 0.5,
      count: 3,
      ties: 1,
      meanMargin: (9 - 9 + 0) / 3,
    });
  });

  it('win rate: A over B on the same prompts, ties half, mismatched lengths refused', async () => {
    const prompts = pairs.map((p) => p.prompt);
    const score = (_: unknown, reply: { content: string }[]) => reply[0].content.length;
    const result = await evaluateWinRate({
      prompts,
      repliesA: pairs.map((p) => p.chosen),
      repliesB: pairs.map((p) => p.rejected),
      score,
    });
    expect(result).toEqual({ winRate: 1.5 / 3, chance: 0.5, count: 3, ties: 1 });
    await expect(evaluateWinRate({ prompts, repliesA: [], repliesB: [], score })).rejects.toThrow(
      /3 prompts, 0 replies of A and 0 of B/,
    );
  });

  it('rewardModelScore: the reward of the rendered conversation, cropped to the model context', async () => {
    const seen: number[][] = [];
    // A reward model whose reward is the sequence's length; it records what it was given.
    const model = {
      config: { blockSize: 40 },
      async score(sequences: readonly (readonly number[])[]) {
        seen.push(...sequences.map((s) => [...s]));
        return Float32Array.from(sequences, (s) => s.length);
      },
    };
    const score = rewardModelScore({ model, tokenizer });
    const prompt = [{ role: 'user' as const, content: 'Hi' }];
    const reply = [{ role: 'assistant' as const, content: 'Hello!' }];
    const whole = render({ messages: [...prompt, ...reply] }, tokenizer).ids;
    expect(await score(prompt, reply)).toBe(whole.length);
    expect(seen[0]).toEqual(whole);
    const long = [{ role: 'user' as const, content: 'x'.repeat(30) }, ...reply, ...prompt];
    expect(await score(long, reply)).toBeLessThanOrEqual(40);
  });

  it("replyLogProb sums the assistant tokens' log-probs; a policy equal to its reference ties everywhere", async () => {
    const scorer = gptScorer(model);
    const got = await replyLogProb({
      scorer,
      tokenizer,
      prompt: pairs[0].prompt,
      reply: pairs[0].chosen,
    });
    const { ids, lossMask } = render(
      { messages: [...pairs[0].prompt, ...pairs[0].chosen] },
      tokenizer,
    );
    const reference = referenceLogProbs(ids).reduce(
      (sum, v, t) => sum + (lossMask[t + 1] ? v : 0),
      0,
    );
    expect(got).toBeCloseTo(reference, 3);
    const same = implicitReward({ policy: scorer, reference: scorer, tokenizer, beta: 0.1 });
    expect(await evaluatePreferenceAccuracy({ pairs, score: same })).toMatchObject({
      accuracy: 0.5,
      ties: 3,
    });
  });
});

describe('cloze task from held-out Tiny Shakespeare', () => {
  const heldOut = heldOutText(shakespeare);

  it('is seeded, and each item asks for the line that really follows its context', () => {
    const items = clozeTask({ text: heldOut, count: 50, seed: 1 });
    expect(clozeTask({ text: heldOut, count: 50, seed: 1 })).toEqual(items);
    expect(clozeTask({ text: heldOut, count: 50, seed: 2 })).not.toEqual(items);
    for (const item of items) {
      expect(new Set(item.choices).size).toBe(4);
      expect(heldOut).toContain(`${item.context}${item.choices[item.label]}\n`);
    }
    expect(heldOut.length).toBeLessThan(shakespeare.length * 0.11);
    expect(() => clozeTask({ text: 'a\nb\n', count: 5 })).toThrow(
      /pass more text or a smaller count/,
    );
  });

  it('a model that memorised the text passes it; a random GPT sits near chance (1/4)', async () => {
    const items = clozeTask({ text: heldOut, count: 40, seed: 3 });
    const memorised = await evaluateMultipleChoice({ scorer: ngram(heldOut, 8), tokenizer, items });
    expect(memorised.chance).toBe(0.25);
    expect(memorised.accuracy).toBeGreaterThan(0.9);
    const random = await evaluateMultipleChoice({
      scorer: gptScorer(model),
      tokenizer,
      items: items.slice(0, 20),
    });
    expect(random.accuracy).toBeLessThan(0.6);
  });
});

describe('cloze task by sentence, from web-style prose (one paragraph per line)', () => {
  const web = readFileSync(fixture('web-paragraphs.txt'), 'utf8');

  it('asks for the sentence that follows, within a block of lines, with abbreviations kept whole', () => {
    const text = [
      'Dr. Smith walked to the market this morning. She bought apples, pears and a loaf of bread. The baker said the bread was still warm.',
      'On the way home it began to rain quite heavily. Mr. Jones lent her an umbrella at the corner. She promised to bring it back the next day.',
      '',
      'A different document starts after the blank line here. It has sentences of its own to offer as distractors. None of them should appear in the context of the first.',
    ].join('\n');
    const items = clozeTask({ text, unit: 'sentence', count: 5, seed: 4 });
    expect(items.map((item) => item.id)).toEqual([
      'line-1-sentence-3',
      'line-2-sentence-1',
      'line-2-sentence-2',
      'line-2-sentence-3',
      'line-4-sentence-3',
    ]);
    const [, paragraphStart, abbreviation] = items;
    expect(paragraphStart.context).toBe(
      'She bought apples, pears and a loaf of bread. The baker said the bread was still warm.',
    );
    expect(paragraphStart.choices[paragraphStart.label]).toBe(
      '\nOn the way home it began to rain quite heavily.',
    );
    expect(abbreviation.choices[abbreviation.label]).toBe(
      ' Mr. Jones lent her an umbrella at the corner.',
    );
    for (const item of items) {
      expect(text).toContain(`${item.context}${item.choices[item.label]}`);
      expect(new Set(item.choices).size).toBe(4);
      const prefix = item.choices[item.label][0];
      expect(item.choices.every((choice) => choice[0] === prefix)).toBe(true);
      expect(item.context).not.toContain('\n\n');
    }
    expect(() => clozeTask({ text, unit: 'sentence', count: 6 })).toThrow(
      'the text gives 5 sentences with 2 sentences of context (need count 6)',
    );
  });

  it('is seeded, and a model that memorised the text passes it (chance 1/4)', async () => {
    const items = clozeTask({ text: web, unit: 'sentence', count: 30, seed: 1 });
    expect(clozeTask({ text: web, unit: 'sentence', count: 30, seed: 1 })).toEqual(items);
    expect(clozeTask({ text: web, unit: 'sentence', count: 30, seed: 2 })).not.toEqual(items);
    for (const item of items) {
      expect(web).toContain(`${item.context}${item.choices[item.label]}`);
      expect(item.choices.some((choice) => choice.trim() === 'Dr.')).toBe(false);
    }
    // Sentences run longer than the n-gram scorer's 64-byte context: give it room (it reads any
    // length); order 16 remembers where each sentence really follows.
    const scorer = { ...ngram(web, 16), contextLength: 512 };
    const memorised = await evaluateMultipleChoice({ scorer, tokenizer, items });
    expect(memorised.chance).toBe(0.25);
    // Sentences differ in length far more than verse lines, and the smoothed n-gram pays a little
    // on every byte: per byte (lm-eval's acc_norm) it always finds the true sentence.
    expect(memorised.accuracyNormalized).toBeGreaterThan(0.9);
    expect(memorised.accuracy).toBeGreaterThan(0.5);
  });

  it('refuses options of the other unit and bad sizes, naming the fix', () => {
    expect(() => clozeTask({ text: web, unit: 'sentence', contextLines: 2 })).toThrow(
      "contextLines applies to unit 'line', not 'sentence'; drop it or pass unit: 'line'",
    );
    expect(() => clozeTask({ text: web, minSentenceLength: 5 })).toThrow(
      "minSentenceLength applies to unit 'sentence'",
    );
    expect(() => clozeTask({ text: web, unit: 'sentence', count: 0 })).toThrow(
      'count 0 must be an integer ≥ 1',
    );
    expect(() => clozeTask({ text: web, unit: 'word' as 'line' })).toThrow(
      `unit "word" is not one of 'line', 'sentence'`,
    );
    expect(() => clozeTask({ text: web, unit: 'sentence', locale: 'not a locale!' })).toThrow(
      /locale "not a locale!" is not a valid BCP 47 tag/,
    );
  });
});
