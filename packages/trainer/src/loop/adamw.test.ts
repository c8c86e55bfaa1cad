import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestBackend } from '../__fixtures__/backend.ts';
import { AdamW, decaysWeight, fusedAdamWAvailable, fusedAdamWKernelName } from './adamw.ts';

// With tfjs-native built these tests run the fused kernel (LMKIT_NATIVE_KERNELS=0: tfjs ops).
let native = false;
beforeAll(async () => {
  native = await useTestBackend();
});

/** PyTorch AdamW, step by step in float64, for one scalar parameter. */
function referenceAdamW(p0: number, grads: number[], lr: number, decay: boolean) {
  let [p, m, v] = [p0, 0, 0];
  grads.forEach((g, i) => {
    const t = i + 1;
    if (decay) p *= 1 - lr * 0.1;
    m = 0.9 * m + 0.1 * g;
    v = 0.95 * v + 0.05 * g * g;
    const denominator = Math.sqrt(v) / Math.sqrt(1 - 0.95 ** t) + 1e-8;
    p -= (lr / (1 - 0.9 ** t)) * (m / denominator);
  });
  return p;
}

describe('decaysWeight', () => {
  it.each([
    ['h.0.attn.c_attn.weight', [128, 384], true],
    ['h.3.mlp.c_proj.weight', [512, 128], true],
    ['h.0.attn.c_attn.bias', [384], false],
    ['h.0.ln_1.weight', [128], false],
    ['ln_f.bias', [128], false],
    ['wte.weight', [50257, 768], false],
    ['transformer.wpe.weight', [1024, 768], false],
  ] as const)('%s %j → %s', (name, shape, expected) => {
    expect(decaysWeight(name, shape)).toBe(expected);
  });
});

describe('AdamW', () => {
  it('matches PyTorch AdamW arithmetic, with decay only on matrices', () => {
    const matrix = tf.variable(tf.tensor2d([[0.5, -1]]), true, 'adamw-test-matrix');
    const bias = tf.variable(tf.tensor1d([0.5]), true, 'adamw-test-bias');
    const optimizer = new AdamW(
      new Map<string, tf.Variable>([
        ['h.0.mlp.c_fc.weight', matrix],
        ['h.0.mlp.c_fc.bias', bias],
      ]),
    );
    const grads = [0.3, -0.2, 0.05, 1.5];
    for (const g of grads) {
      const gm = tf.tensor2d([[g, 2 * g]]);
      const gb = tf.tensor1d([g]);
      optimizer.apply({ 'h.0.mlp.c_fc.weight': gm, 'h.0.mlp.c_fc.bias': gb }, 0.01);
      gm.dispose();
      gb.dispose();
    }
    const [m0, m1] = matrix.dataSync();
    expect(m0).toBeCloseTo(referenceAdamW(0.5, grads, 0.01, true), 6);
    expect(m1).toBeCloseTo(
      referenceAdamW(
        -1,
        grads.map((g) => 2 * g),
        0.01,
        true,
      ),
      6,
    );
    expect(bias.dataSync()[0]).toBeCloseTo(referenceAdamW(0.5, grads, 0.01, false), 6);
    expect(referenceAdamW(0.5, grads, 0.01, true)).not.toBeCloseTo(
      referenceAdamW(0.5, grads, 0.01, false),
      6,
    );
    expect(optimizer.decayedNames()).toEqual(['h.0.mlp.c_fc.weight']);
    optimizer.dispose();
    matrix.dispose();
    bias.dispose();
  });

  it('restores moments exactly, so continued updates match', async () => {
    const make = () =>
      tf.variable(
        tf.tensor2d([
          [1, 2],
          [3, 4],
        ]),
        true,
      );
    const a = make();
    const b = make();
    const optA = new AdamW(new Map([['h.0.attn.c_proj.weight', a]]));
    const grad = tf.tensor2d([
      [0.1, -0.2],
      [0.3, 0.4],
    ]);
    optA.apply({ 'h.0.attn.c_proj.weight': grad }, 0.1);
    b.assign(a);
    const optB = new AdamW(new Map([['h.0.attn.c_proj.weight', b]]));
    optB.loadMoments(await optA.moments(), optA.stepCount);
    optA.apply({ 'h.0.attn.c_proj.weight': grad }, 0.1);
    optB.apply({ 'h.0.attn.c_proj.weight': grad }, 0.1);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    const tensorsBefore = tf.memory().numTensors;
    optB.apply({ 'h.0.attn.c_proj.weight': grad }, 0.1);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    for (const t of [a, b, grad]) t.dispose();
    optA.dispose();
    optB.dispose();
  });
});

/** Two parameters (one decays) updated `steps` times with seeded gradients at `scale`. */
function trainTwo(steps: number, scale: number): Float32Array[] {
  const matrix = tf.variable(tf.randomNormal([37, 29], 0, 1, 'float32', 1));
  const bias = tf.variable(tf.randomNormal([29], 0, 1, 'float32', 2));
  const optimizer = new AdamW(
    new Map([
      ['h.0.attn.c_attn.weight', matrix],
      ['h.0.attn.c_attn.bias', bias],
    ]),
  );
  for (let step = 1; step <= steps; step++) {
    const grads = {
      'h.0.attn.c_attn.weight': tf.randomNormal([37, 29], 0, step, 'float32', 10 + step),
      'h.0.attn.c_attn.bias': tf.randomNormal([29], 0, step, 'float32', 20 + step),
    };
    optimizer.apply(grads, 0.01, { gradientScale: scale });
    for (const g of Object.values(grads)) g.dispose();
  }
  const out = [Float32Array.from(matrix.dataSync()), Float32Array.from(bias.dataSync())];
  optimizer.dispose();
  matrix.dispose();
  bias.dispose();
  return out;
}

describe('AdamW update paths', () => {
  it('a gradient scale equals scaling the gradients first', () => {
    const matrix = tf.variable(tf.tensor2d([[0.5, -1]]));
    const optimizer = new AdamW(new Map([['h.0.mlp.c_proj.weight', matrix]]));
    const grads = [0.3, -0.2, 0.05, 1.5];
    for (const g of grads) {
      const gm = tf.tensor2d([[g, 2 * g]]);
      optimizer.apply({ 'h.0.mlp.c_proj.weight': gm }, 0.01, { gradientScale: 0.25 });
      gm.dispose();
    }
    expect(matrix.dataSync()[0]).toBeCloseTo(
      referenceAdamW(
        0.5,
        grads.map((g) => g * 0.25),
        0.01,
        true,
      ),
      6,
    );
    expect(() => optimizer.apply({}, 0.01, { gradientScale: Number.NaN })).toThrow(
      /gradientScale NaN is not finite/,
    );
    optimizer.dispose();
    matrix.dispose();
  });

  it.skipIf(process.env.LMKIT_NATIVE_KERNELS === '0')(
    'the fused native kernel gives the same parameters as the tfjs ops',
    (context) => {
      if (!native || !fusedAdamWAvailable()) {
        context.skip('@lmkit/tfjs-native is not built here (no LmkitAdamW kernel)');
        return;
      }
      const fusedRun = trainTwo(3, 0.7);
      const config = tf.getKernel(fusedAdamWKernelName, 'cpu')!;
      tf.unregisterKernel(fusedAdamWKernelName, 'cpu');
      try {
        expect(fusedAdamWAvailable()).toBe(false);
        const opsRun = trainTwo(3, 0.7);
        for (let i = 0; i < opsRun.length; i++) {
          let worst = 0;
          for (let j = 0; j < opsRun[i].length; j++) {
            worst = Math.max(worst, Math.abs(fusedRun[i][j] - opsRun[i][j]));
          }
          expect(worst).toBeLessThan(1e-6);
        }
        expect(fusedRun[0][0]).not.toBe(trainTwo(2, 0.7)[0][0]);
      } finally {
        tf.registerKernel(config);
      }
    },
  );
});
