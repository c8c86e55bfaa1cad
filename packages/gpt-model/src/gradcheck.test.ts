// Finite-difference check of the analytic gradients on a tiny float32 GPT: directional
// derivatives (L(θ+εd) − L(θ−εd)) / 2ε against ∇L·d, along unit directions d that mix the
// gradient's own direction with a random one (so the derivative is large next to float32 noise).

import { nativeStatus } from '@lmkit/tfjs-native';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ids, micro } from './__fixtures__/helpers.ts';
import { GPT, nativeKernelStatus, Rng, setBackend } from './index.ts';

// Both paths: this package's own kernels, and @lmkit/tfjs-native's fused kernels when built.
const native = nativeStatus();
describe.each([{ nativeKernels: false }, ...(native.available ? [{ nativeKernels: true }] : [])])(
  'finite-difference gradient check (cpu backend, float32, native kernels: $nativeKernels)',
  ({ nativeKernels }) => {
    beforeAll(async () => {
      await setBackend('cpu', { nativeKernels });
      expect(nativeKernelStatus('cpu').installed).toBe(nativeKernels);
    });

    const inputs = ids(2, 8, micro.vocabSize, 1);
    const targets = ids(2, 8, micro.vocabSize, 2);
    const lossMask = [
      [1, 1, 0, 1, 1, 1, 0, 1],
      [0, 1, 1, 1, 1, 0, 1, 1],
    ];

    for (const subset of ['all', 'wte.weight', 'h.1.attn.c_attn.weight', 'h.0.ln_1.bias']) {
      it(`agrees along a random direction over ${subset}`, () => {
        const model = new GPT(micro, { seed: 3 });
        // Larger weights than GPT-2's init, so every layer's gradient is well above float32 noise.
        for (const v of model.parameters.values()) tf.tidy(() => v.assign(tf.mul(v, 2)));
        const names = subset === 'all' ? [...model.parameters.keys()] : [subset];
        const rng = new Rng(names.length);
        const lossAt = () => tf.tidy(() => model.loss(inputs, targets, { lossMask }).dataSync()[0]);
        const { grads } = tf.variableGrads(
          () => model.loss(inputs, targets, { lossMask }),
          [...model.parameters.values()],
        );
        const unit = (parts: Map<string, Float32Array>) => {
          const norm = Math.sqrt(
            [...parts.values()].reduce((s, d) => s + d.reduce((a, x) => a + x * x, 0), 0),
          );
          for (const d of parts.values()) for (let i = 0; i < d.length; i++) d[i] /= norm;
          return parts;
        };
        const gradOf = (name: string) => grads[model.variablePrefix + name];
        const random = unit(new Map(names.map((n) => [n, rng.normalArray(gradOf(n).size, 1)])));
        const along = unit(
          new Map(names.map((n) => [n, gradOf(n).dataSync().slice() as Float32Array])),
        );
        const direction = unit(
          new Map(names.map((n) => [n, random.get(n)!.map((x, i) => x + along.get(n)![i])])),
        );
        let analytic = 0;
        for (const name of names) {
          const g = gradOf(name).dataSync();
          const d = direction.get(name)!;
          for (let i = 0; i < d.length; i++) analytic += g[i] * d[i];
        }
        tf.dispose(Object.values(grads));

        const eps = 3e-3;
        const original = new Map(
          names.map((n) => [n, model.parameters.get(n)!.dataSync().slice()]),
        );
        const shift = (sign: number) => {
          for (const name of names) {
            const base = original.get(name)!;
            const d = direction.get(name)!;
            const moved = base.map((x, i) => x + sign * eps * d[i]);
            const variable = model.parameters.get(name)!;
            tf.tidy(() => variable.assign(tf.tensor(moved, variable.shape)));
          }
        };
        shift(1);
        const plus = lossAt();
        shift(-1);
        const minus = lossAt();
        const numeric = (plus - minus) / (2 * eps);
        model.dispose();
        expect(Math.abs(analytic)).toBeGreaterThan(1e-2);
        expect(Math.abs(numeric - analytic) / Math.abs(analytic)).toBeLessThan(5e-3);
      });
    }
  },
);
