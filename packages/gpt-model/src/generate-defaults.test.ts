// generate's defaults and ends: a default length, a random seed unless given, the finish reason as
// the return value, the stop id on request, and nanoGPT's sliding context past the block size.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { micro } from './__fixtures__/helpers.ts';
import { DEFAULT_MAX_NEW_TOKENS, resolveGenerateOptions } from './generate.ts';
import { GPT, GPTModelError, setBackend } from './index.ts';

async function drain<T, R>(stream: AsyncGenerator<T, R>): Promise<{ items: T[]; result: R }> {
  const items: T[] = [];
  for (;;) {
    const step = await stream.next();
    if (step.done) return { items, result: step.value };
    items.push(step.value);
  }
}

/** nanoGPT's sample loop: greedy, the last blockSize tokens each step, no cache. */
function nanoGptGreedy(model: GPT, prompt: number[], count: number): number[] {
  const sequence = [...prompt];
  for (let i = 0; i < count; i++) {
    const window = sequence.slice(-model.config.blockSize);
    const row = tf.tidy(() =>
      tf.slice(model.logits([window]), [0, window.length - 1, 0], [1, 1, -1]).dataSync(),
    );
    sequence.push([...row.keys()].reduce((best, k) => (row[k] > row[best] ? k : best), 0));
  }
  return sequence.slice(prompt.length);
}

describe('generate defaults and finish reasons', () => {
  let model: GPT;
  beforeAll(async () => {
    await setBackend('wasm');
    model = new GPT({ ...micro, blockSize: 16 }, { seed: 5 });
    for (const v of model.parameters.values()) tf.tidy(() => v.assign(tf.mul(v, 6)));
  });
  afterAll(() => model.dispose());

  it('generates DEFAULT_MAX_NEW_TOKENS without options and reports length', async () => {
    const { items, result } = await drain(model.generate([1, 2]));
    expect(items).toHaveLength(DEFAULT_MAX_NEW_TOKENS);
    expect(result).toEqual({ finishReason: 'length', croppedPromptTokens: 0 });
  });

  it('draws a random seed per call unless one is given', () => {
    const seeds = new Set(Array.from({ length: 8 }, () => resolveGenerateOptions({}).seed));
    expect(seeds.size).toBe(8);
    expect(resolveGenerateOptions({ seed: 3 }).seed).toBe(3);
  });

  it('reports the stop id and yields it when asked', async () => {
    const greedy = (await drain(model.generate([9], { maxNewTokens: 10, temperature: 0 }))).items;
    const stopAt = greedy[2];
    const options = { maxNewTokens: 10, temperature: 0, stop: [stopAt] };
    const quiet = await drain(model.generate([9], options));
    expect(quiet.items).toEqual(greedy.slice(0, greedy.indexOf(stopAt)));
    expect(quiet.result).toEqual({ finishReason: 'stop', stopId: stopAt, croppedPromptTokens: 0 });
    const loud = await drain(model.generate([9], { ...options, includeStop: true }));
    expect(loud.items).toEqual(greedy.slice(0, greedy.indexOf(stopAt) + 1));
  });

  it('never samples suppressed ids', async () => {
    const [first] = (await drain(model.generate([4], { maxNewTokens: 1, temperature: 0 }))).items;
    const [other] = (
      await drain(model.generate([4], { maxNewTokens: 1, temperature: 0, suppressIds: [first] }))
    ).items;
    expect(other).not.toBe(first);
    const suppressIds = Array.from({ length: 25 }, (_, i) => i);
    const sampled = await drain(model.generate([4], { maxNewTokens: 200, seed: 2, suppressIds }));
    expect(sampled.items.filter((id) => id < 25)).toEqual([]);
    expect(new Set(sampled.items).size).toBeGreaterThan(5);
  });

  it('slides the context past the block size exactly as nanoGPT, with and without the cache', async () => {
    const prompt = [3, 1, 4, 1, 5, 9, 2, 6];
    const expected = nanoGptGreedy(model, prompt, 30);
    for (const kvCache of [true, false]) {
      const { items, result } = await drain(
        model.generate(prompt, { maxNewTokens: 30, temperature: 0, kvCache }),
      );
      expect(items).toEqual(expected);
      expect(result.finishReason).toBe('length');
    }
  });

  it('keeps the last tokens of a prompt longer than the block size', async () => {
    const prompt = Array.from({ length: 40 }, (_, i) => (i * 7) % micro.vocabSize);
    const long = await drain(model.generate(prompt, { maxNewTokens: 5, seed: 8 }));
    const tail = await drain(model.generate(prompt.slice(-16), { maxNewTokens: 5, seed: 8 }));
    expect(long.items).toEqual(tail.items);
    expect(long.result.croppedPromptTokens).toBe(24);
  });

  it("ends with 'context' at the block size when contextOverflow is 'stop'", async () => {
    const { items, result } = await drain(
      model.generate([1, 2, 3, 4, 5, 6], { maxNewTokens: 50, contextOverflow: 'stop', seed: 1 }),
    );
    expect(items).toHaveLength(11);
    expect(result.finishReason).toBe('context');
  });

  it('says what to do with a text prompt, string stops and bad lengths', async () => {
    await expect(drain(model.generate('Hello' as never, { maxNewTokens: 1 }))).rejects.toThrow(
      /prompt 0 is a string; generate takes token ids/,
    );
    await expect(drain(model.generate([1], { stop: ['\n'] as never }))).rejects.toThrow(
      /stop strings belong to loadLanguageModel/,
    );
    await expect(drain(model.generate([1], { maxNewTokens: -1 }))).rejects.toThrow(GPTModelError);
  });
});
