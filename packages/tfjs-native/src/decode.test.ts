// The decode kernels against a GPT-2 block written with tfjs ops: a prefill of left-padded rows
// then single-token steps into the in-place KV cache give the same hidden states as running the
// whole sequence at once; embeddings and the tied head match gather and matMul; bad sizes throw.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { afterEach, describe, expect, it } from 'vitest';
import { randomTensor, relativeError, skipReason } from './__fixtures__/helpers.ts';
import { installNative, uninstallNative } from './__fixtures__/runtime.ts';
import { decodeBlockKernelName, decodeEmbedKernelName, decodeLogitsKernelName } from './index.ts';

const C = 24;
const heads = 3;
const epsilon = 1e-5;

type Weights = Record<string, tf.Tensor>;

function blockWeights(bias: boolean): Weights {
  const w: Weights = {
    ln1Weight: tf.add(randomTensor([C]), 1),
    qkvWeight: tf.mul(randomTensor([C, 3 * C]), 0.3),
    projWeight: tf.mul(randomTensor([C, C]), 0.3),
    ln2Weight: tf.add(randomTensor([C]), 1),
    fcWeight: tf.mul(randomTensor([C, 4 * C]), 0.3),
    fcProjWeight: tf.mul(randomTensor([4 * C, C]), 0.3),
  };
  if (bias)
    for (const [name, size] of [
      ['ln1Bias', C],
      ['qkvBias', 3 * C],
      ['projBias', C],
      ['ln2Bias', C],
      ['fcBias', 4 * C],
      ['fcProjBias', C],
    ] as const)
      w[name] = tf.mul(randomTensor([size]), 0.2);
  return w;
}

function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta?: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  const y = tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, epsilon))), gamma);
  return beta ? tf.add(y, beta) : y;
}

const affine = (x: tf.Tensor, w: tf.Tensor, b?: tf.Tensor) => {
  const y = tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D);
  return b ? tf.add(y, b) : y;
};

/** One GPT-2 block over whole rows x (B, T, C) with a causal mask hiding each row's padding. */
function referenceBlock(x: tf.Tensor3D, w: Weights, padding: number[]): tf.Tensor3D {
  return tf.tidy(() => {
    const [B, T] = x.shape;
    const hs = C / heads;
    const flat = tf.reshape(x, [B * T, C]);
    const qkv = affine(layerNorm(flat, w.ln1Weight, w.ln1Bias), w.qkvWeight, w.qkvBias);
    const split = (i: number) =>
      tf.transpose(tf.reshape(tf.slice(qkv, [0, i * C], [-1, C]), [B, T, heads, hs]), [0, 2, 1, 3]);
    const mask = new Float32Array(B * T * T);
    for (let b = 0; b < B; b++)
      for (let r = 0; r < T; r++)
        for (let j = 0; j < T; j++) if (j > r || j < padding[b]) mask[(b * T + r) * T + j] = -1e9;
    const scores = tf.add(
      tf.mul(tf.matMul(split(0), split(1), false, true), 1 / Math.sqrt(hs)),
      tf.tensor4d(mask, [B, 1, T, T]),
    );
    const heads4 = tf.matMul(tf.softmax(scores), split(2));
    const merged = tf.reshape(tf.transpose(heads4, [0, 2, 1, 3]), [B * T, C]);
    const h = tf.add(flat, affine(merged, w.projWeight, w.projBias));
    const up = affine(layerNorm(h, w.ln2Weight, w.ln2Bias), w.fcWeight, w.fcBias);
    const gelu = tf.mul(
      tf.mul(up, 0.5),
      tf.add(
        tf.tanh(tf.mul(tf.add(up, tf.mul(tf.pow(up, 3), 0.044715)), Math.sqrt(2 / Math.PI))),
        1,
      ),
    );
    return tf.reshape(tf.add(h, affine(gelu, w.fcProjWeight, w.fcProjBias)), [B, T, C]);
  });
}

function runBlock(x: tf.Tensor, w: Weights, cache: Weights, attrs: Record<string, unknown>) {
  return tf
    .engine()
    .runKernel(decodeBlockKernelName, { x, ...w, ...cache }, attrs as never) as tf.Tensor;
}

describe.each(['wasm', 'cpu'] as const)('decode kernels on %s', (backend) => {
  afterEach(() => {
    uninstallNative(backend);
  });

  it.skipIf(skipReason !== '').each([true, false])(
    'prefill then one-token steps match the whole-sequence block (bias %s)',
    async (bias) => {
      await tf.setBackend(backend);
      const result = await installNative(backend);
      expect(result.kernels).toContain(decodeBlockKernelName);
      const w = blockWeights(bias);
      const B = 2;
      const T = 7;
      const prefill = 4;
      const padding = [0, 2];
      const x = tf.tidy(() => tf.mul(randomTensor([B, T, C]), 2)) as tf.Tensor3D;
      const expected = referenceBlock(x, w, padding).arraySync();
      const capacity = 9;
      const cache = {
        kCache: tf.zeros([B, heads, capacity, C / heads]),
        vCache: tf.zeros([B, heads, capacity, C / heads]),
      };
      const rowsOf = (start: number, steps: number) =>
        tf.reshape(tf.slice(x, [0, start, 0], [B, steps, C]), [B * steps, C]);
      const got: number[][][] = [[], []];
      const attrs = { batch: B, nHead: heads, padding, epsilon };
      const first = runBlock(rowsOf(0, prefill), w, cache, { ...attrs, steps: prefill, past: 0 });
      const firstRows = first.arraySync() as number[][];
      for (let b = 0; b < B; b++) got[b].push(...firstRows.slice(b * prefill, (b + 1) * prefill));
      for (let t = prefill; t < T; t++) {
        const rows = runBlock(rowsOf(t, 1), w, cache, { ...attrs, steps: 1, past: t });
        const values = rows.arraySync() as number[][];
        for (let b = 0; b < B; b++) got[b].push(values[b]);
      }
      for (let b = 0; b < B; b++)
        for (let t = padding[b]; t < T; t++) {
          const error = relativeError(tf.tensor(got[b][t]), tf.tensor(expected[b][t]));
          expect(error, `row ${b} position ${t}`).toBeLessThan(1e-5);
        }
      // Keys of every position sit in the cache: row 0, head 1, position 5 = k of x[0, 5].
      const k = tf.tidy(() => {
        const normed = layerNorm(
          tf.reshape(tf.slice(x, [0, 5, 0], [1, 1, C]), [1, C]),
          w.ln1Weight,
          w.ln1Bias,
        );
        const qkv = affine(normed, w.qkvWeight, w.qkvBias);
        return tf.reshape(tf.slice(qkv, [0, C + C / heads], [1, C / heads]), [-1]);
      });
      const cached = tf.reshape(tf.slice(cache.kCache, [0, 1, 5, 0], [1, 1, 1, C / heads]), [-1]);
      expect(relativeError(cached, k)).toBeLessThan(1e-5);
    },
  );

  it.skipIf(skipReason !== '')('embeds ids at positions and applies the tied head', async () => {
    await tf.setBackend(backend);
    await installNative(backend);
    const wte = randomTensor([11, C]);
    const wpe = randomTensor([6, C]);
    const ids = [3, 10, 0, 7];
    const positions = [0, 1, 5, 2];
    const embedded = tf.engine().runKernel(decodeEmbedKernelName, { wte, wpe }, {
      ids,
      positions,
    } as never) as tf.Tensor;
    const expected = tf.add(tf.gather(wte, ids), tf.gather(wpe, positions));
    expect(relativeError(embedded, expected)).toBeLessThan(1e-7);
    const lnWeight = tf.add(randomTensor([C]), 1);
    const lnBias = randomTensor([C]);
    // Two rows of two steps: logits of each row's last step.
    const logits = tf
      .engine()
      .runKernel(decodeLogitsKernelName, { x: embedded, lnWeight, lnBias, wte }, {
        steps: 2,
        epsilon,
      } as never) as tf.Tensor;
    expect(logits.shape).toEqual([2, 11]);
    const last = tf.gather(embedded, [1, 3]);
    const reference = tf.matMul(
      layerNorm(last, lnWeight, lnBias) as tf.Tensor2D,
      wte as tf.Tensor2D,
      false,
      true,
    );
    expect(relativeError(logits, reference)).toBeLessThan(1e-5);
  });

  it.skipIf(skipReason !== '')('rejects a step past the cache capacity and bad ids', async () => {
    await tf.setBackend(backend);
    await installNative(backend);
    const w = blockWeights(true);
    const cache = {
      kCache: tf.zeros([1, heads, 2, C / heads]),
      vCache: tf.zeros([1, heads, 2, C / heads]),
    };
    const attrs = { batch: 1, steps: 1, past: 2, nHead: heads, padding: [0], epsilon };
    expect(() => runBlock(randomTensor([1, C]), w, cache, attrs)).toThrow(
      /exceeds the cache capacity/,
    );
    const wte = randomTensor([4, C]);
    expect(() =>
      tf
        .engine()
        .runKernel(decodeEmbedKernelName, { wte, wpe: wte }, { ids: [4], positions: [0] } as never),
    ).toThrow(/outside its embedding table/);
  });
});
