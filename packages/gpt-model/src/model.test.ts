// The GPT class itself: GPT-2 initialisation, seeded dropout, the masked loss, vocabulary
// resizing, and the checks that fail early (bad ids, long contexts, configs too big for wasm).
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ids, micro } from './__fixtures__/helpers.ts';
import {
  estimateMemory,
  GPT,
  GPTModelError,
  parameterCount,
  presets,
  setBackend,
  wasmHeapLimitBytes,
} from './index.ts';

function std(values: Float32Array): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
}

describe('GPT', () => {
  beforeAll(async () => {
    await setBackend('wasm');
  });

  it('initialises like GPT-2: std 0.02, residual projections 0.02/√(2L), LayerNorm 1 and 0', () => {
    const config = { ...micro, nLayer: 4, nEmbd: 64, vocabSize: 500 };
    const model = new GPT(config, { seed: 1 });
    const get = (name: string) => model.parameters.get(name)!.dataSync() as Float32Array;
    expect(std(get('wte.weight'))).toBeCloseTo(0.02, 3);
    expect(std(get('h.0.mlp.c_fc.weight'))).toBeCloseTo(0.02, 3);
    expect(std(get('h.3.attn.c_proj.weight'))).toBeCloseTo(0.02 / Math.sqrt(8), 3);
    expect(std(get('h.3.mlp.c_proj.weight'))).toBeCloseTo(0.02 / Math.sqrt(8), 3);
    expect(get('h.1.ln_2.weight').every((x) => x === 1)).toBe(true);
    expect(get('h.1.attn.c_attn.bias').every((x) => x === 0)).toBe(true);
    const total = [...model.parameters.values()].reduce((n, v) => n + v.size, 0);
    expect(total).toBe(parameterCount(config));
    const again = new GPT(config, { seed: 1 });
    const other = new GPT(config, { seed: 2 });
    expect(again.parameters.get('wte.weight')!.dataSync()).toEqual(get('wte.weight'));
    expect(other.parameters.get('wte.weight')!.dataSync()).not.toEqual(get('wte.weight'));
    for (const m of [model, again, other]) m.dispose();
  });

  it('applies dropout only in training, repeatably for a seed', () => {
    const model = new GPT({ ...micro, dropout: 0.2 }, { seed: 3 });
    const input = ids(2, 8, micro.vocabSize);
    const read = (t: tf.Tensor) => {
      const data = t.dataSync().slice();
      t.dispose();
      return data;
    };
    const evalA = read(model.logits(input));
    const evalB = read(model.logits(input));
    const trainA = read(model.logits(input, { training: true, seed: 5 }));
    const trainB = read(model.logits(input, { training: true, seed: 5 }));
    const trainC = read(model.logits(input, { training: true, seed: 6 }));
    expect(evalB).toEqual(evalA);
    expect(trainB).toEqual(trainA);
    expect(trainA).not.toEqual(evalA);
    expect(trainC).not.toEqual(trainA);
    model.dispose();
  });

  it('averages the loss over positions where the mask is 1', () => {
    const model = new GPT(micro, { seed: 4 });
    const input = ids(2, 5, micro.vocabSize, 1);
    const targets = ids(2, 5, micro.vocabSize, 2);
    const mask = [
      [0, 1, 1, 0, 1],
      [1, 0, 0, 0, 1],
    ];
    const logits = model.logits(input);
    const logProbs = tf.tidy(() => tf.logSoftmax(logits).arraySync() as number[][][]);
    let sum = 0;
    let count = 0;
    for (let b = 0; b < 2; b++)
      for (let t = 0; t < 5; t++)
        if (mask[b][t]) {
          sum -= logProbs[b][t][targets[b][t]];
          count++;
        }
    const masked = tf.tidy(() => model.loss(input, targets, { lossMask: mask }).dataSync()[0]);
    const unmasked = tf.tidy(() => model.loss(input, targets).dataSync()[0]);
    expect(masked).toBeCloseTo(sum / count, 5);
    expect(unmasked).not.toBeCloseTo(masked, 3);
    logits.dispose();
    model.dispose();
  });

  it('resizes the vocabulary keeping existing rows', () => {
    const model = new GPT(micro, { seed: 5 });
    const before = model.parameters.get('wte.weight')!.dataSync().slice();
    model.resizeVocabulary(60, { seed: 1 });
    expect(model.config.vocabSize).toBe(60);
    const after = model.parameters.get('wte.weight')!.dataSync();
    expect(after.subarray(0, before.length)).toEqual(before);
    expect(std(after.slice(before.length) as Float32Array)).toBeGreaterThan(0.01);
    const logits = model.logits([[59, 1]]);
    expect(logits.shape).toEqual([1, 2, 60]);
    logits.dispose();
    model.resizeVocabulary(10);
    expect(model.parameters.get('wte.weight')!.shape).toEqual([10, 16]);
    model.dispose();
  });

  it('rejects ids outside the vocabulary, ragged rows and contexts past the block size', () => {
    const model = new GPT(micro, { seed: 6 });
    const before = tf.memory().numTensors;
    expect(() => model.logits([[1, 50]])).toThrow(
      /ids\[0\]\[1\] is 50, outside the vocabulary \[0, 50\)/,
    );
    expect(() => model.logits([[1, 2], [3]])).toThrow(/rows must have equal length/);
    expect(() => model.logits([Array(17).fill(1)])).toThrow(/more than the block size 16/);
    expect(() => model.loss([[1, 2]], [[1]])).toThrow(GPTModelError);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('refuses a config too big for the wasm heap before allocating, naming the backend that fits', () => {
    const before = tf.memory().numTensors;
    expect(estimateMemory(presets['gpt2-xl']).weightsBytes).toBeGreaterThan(wasmHeapLimitBytes);
    expect(() => new GPT(presets['gpt2-xl'])).toThrow(
      /wasm backend's 4\.00 GiB heap; use the cpu backend \(setBackend\('cpu'\)/,
    );
    expect(tf.memory().numTensors).toBe(before);
    const model = new GPT({ ...presets['cpu-small'], blockSize: 4096, nLayer: 1 });
    const rows = Array.from({ length: 8 }, () => Array<number>(4096).fill(1));
    expect(() => model.loss(rows, rows)).toThrow(/training with this config needs about/);
    model.dispose();
  });
});
