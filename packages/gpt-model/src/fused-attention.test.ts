// The fused attention path: with @lmkit/tfjs-native's LmkitCausalAttention installed, training
// forward passes run it (and its gradient) and agree with the tfjs ops; the KV cache, left
// padding and active dropout keep the tfjs ops.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ids, micro } from './__fixtures__/helpers.ts';
import { GPT, setBackend } from './index.ts';
import { causalMask, causalSelfAttention } from './layers.ts';
import { causalAttentionKernelName as fusedAttentionKernelName } from './runtime/index.ts';

await setBackend('wasm');
const available = tf.getKernel(fusedAttentionKernelName, 'wasm') !== undefined;

/** Names of the kernels `f` runs (including those of its gradient when it takes one). */
async function kernelNames(f: () => tf.TensorContainer): Promise<string[]> {
  const info = await tf.profile(() => {
    tf.dispose(f());
  });
  return info.kernels.map((kernel) => kernel.name);
}

describe.skipIf(!available)('fused causal attention in the model', () => {
  beforeAll(async () => {
    await setBackend('wasm');
  });

  it('matches the tfjs ops in value and in every gradient', () => {
    const rand = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 0.5, 'float32', seed);
    const [batch, steps, nHead, width] = [2, 7, 3, 12];
    const x = rand([batch * steps, width], 1) as tf.Tensor2D;
    const weights = {
      qkvWeight: rand([width, 3 * width], 2) as tf.Tensor2D,
      qkvBias: rand([3 * width], 3) as tf.Tensor1D,
      projWeight: rand([width, width], 4) as tf.Tensor2D,
      projBias: rand([width], 5) as tf.Tensor1D,
    };
    const mask = causalMask(steps, 0);
    const dy = rand([batch * steps, width], 6);
    // dropoutActive: true with an identity dropout forces the tfjs ops on the same inputs.
    const run = (forceTfjs: boolean) =>
      tf.grads((xs: tf.Tensor, wq: tf.Tensor, wp: tf.Tensor) => {
        const { y } = causalSelfAttention(
          {
            x: xs as tf.Tensor2D,
            batch,
            steps,
            nHead,
            mask,
            dropout: (t) => t,
            dropoutActive: forceTfjs,
          },
          { ...weights, qkvWeight: wq as tf.Tensor2D, projWeight: wp as tf.Tensor2D },
        );
        return tf.sum(tf.mul(y, dy));
      })([x, weights.qkvWeight, weights.projWeight]);
    const fused = run(false);
    const reference = run(true);
    for (let i = 0; i < fused.length; i++) {
      const a = fused[i].dataSync();
      const e = reference[i].dataSync();
      const scale = Math.max(...e.map(Math.abs));
      const worst = Math.max(...a.map((v, j) => Math.abs(v - e[j])));
      expect(worst / scale).toBeLessThan(1e-4);
    }
  });

  it('runs one fused kernel per layer forward and backward in a training step', async () => {
    const model = new GPT(micro, { seed: 1 });
    const variables = [...model.parameters.values()];
    const names = await kernelNames(
      () => tf.variableGrads(() => model.loss(ids(2, 8, 50), ids(2, 8, 50, 1)), variables).grads,
    );
    expect(names.filter((n) => n === fusedAttentionKernelName)).toHaveLength(micro.nLayer);
    expect(names.filter((n) => n === `${fusedAttentionKernelName}Grad`)).toHaveLength(micro.nLayer);
    expect(names).not.toContain('Softmax');
    model.dispose();
  });

  it('keeps the tfjs ops for left padding, a KV cache and active dropout', async () => {
    const model = new GPT({ ...micro, dropout: 0.1 }, { seed: 1 });
    const batchIds = tf.tensor2d(ids(2, 6, 50), undefined, 'int32');
    const padded = await kernelNames(() => model.hidden(batchIds, { leftPadding: [2, 0] }));
    expect(padded).not.toContain(fusedAttentionKernelName);
    const cache = { length: 0, layers: [] as { k: tf.Tensor4D; v: tf.Tensor4D }[] };
    tf.dispose(model.hidden(batchIds, { cache }));
    const cached = await kernelNames(() =>
      model.hidden(tf.slice(batchIds, [0, 0], [2, 1]), { cache }),
    );
    expect(cached).not.toContain(fusedAttentionKernelName);
    for (const layer of cache.layers) tf.dispose([layer.k, layer.v]);
    const dropped = await kernelNames(() => model.loss(batchIds, batchIds, { training: true }));
    expect(dropped).not.toContain(fusedAttentionKernelName);
    const evaluated = await kernelNames(() => model.loss(batchIds, batchIds));
    expect(evaluated).toContain(fusedAttentionKernelName);
    batchIds.dispose();
    model.dispose();
  });
});
