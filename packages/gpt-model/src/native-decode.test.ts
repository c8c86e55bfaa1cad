// Decoding through @lmkit/tfjs-native's decode kernels (in-place KV cache) against the tfjs-op
// path with native kernels turned off: the same greedy and seeded tokens for single prompts and
// left-padded batches, on wasm and cpu, with no tensors left behind. Skips without the addon.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { micro } from './__fixtures__/helpers.ts';
import { GPT, nativeKernelStatus, setBackend } from './index.ts';

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream) out.push(item);
  return out;
}

const probe = await setBackend('wasm');
const native = probe === 'wasm' && nativeKernelStatus('wasm').kernels.includes('LmkitDecodeBlock');

/** Tokens from `generate` with native kernels on, then off (the tfjs-op path). */
async function bothWays<T>(backend: 'wasm' | 'cpu', make: () => Promise<T>): Promise<[T, T]> {
  await setBackend(backend);
  expect(nativeKernelStatus(backend).kernels).toContain('LmkitDecodeBlock');
  const fast = await make();
  await setBackend(backend, { nativeKernels: false });
  expect(nativeKernelStatus(backend).installed).toBe(false);
  const slow = await make();
  await setBackend(backend);
  return [fast, slow];
}

describe.skipIf(!native).each(['wasm', 'cpu'] as const)('native decoding on %s', (backend) => {
  let model: GPT | undefined;
  const sharp = async (config = { ...micro, blockSize: 40 }, bias = true) => {
    await setBackend(backend);
    model?.dispose();
    model = new GPT({ ...config, bias }, { seed: 11 });
    // Sharper distributions than the init gives, so tokens vary from step to step.
    for (const v of model.parameters.values()) tf.tidy(() => v.assign(tf.mul(v, 6)));
    return model;
  };
  afterAll(() => model?.dispose());

  it.each([true, false])('gives the tfjs-op path greedy tokens (bias %s)', async (bias) => {
    const m = await sharp(undefined, bias);
    const options = { maxNewTokens: 30, temperature: 0 };
    const [fast, slow] = await bothWays(backend, () => collect(m.generate([5, 1, 7], options)));
    expect(fast).toHaveLength(30);
    expect(new Set(fast).size).toBeGreaterThan(3);
    expect(fast).toEqual(slow);
  });

  it('gives the same seeded samples and left-padded batches', async () => {
    const m = await sharp({ ...micro, blockSize: 40, nHead: 4 });
    const sampled = { maxNewTokens: 20, temperature: 0.8, topK: 10, seed: 3 };
    const prompts = [[2], [9, 8, 7, 6, 5], [3, 3]];
    const greedy = { maxNewTokens: 12, temperature: 0 };
    const [fast, slow] = await bothWays(backend, async () => ({
      sampled: await collect(m.generate([4, 4, 2], sampled)),
      batch: await collect(m.generateBatch(prompts, greedy)),
      alone: await collect(m.generate(prompts[1], greedy)),
    }));
    expect(fast).toEqual(slow);
    expect(fast.batch.map((step) => step[1])).toEqual(fast.alone);
  });

  it('leaves no tensors behind, also when a stream stops early', async () => {
    const m = await sharp();
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    for await (const _ of m.generate([1, 2], { maxNewTokens: 30, temperature: 0 }))
      counts.push(tf.memory().numTensors);
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    for await (const _ of m.generate([1], { maxNewTokens: 20 })) break;
    expect(tf.memory().numTensors).toBe(before);
  });
});
