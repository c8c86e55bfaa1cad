// The GPU path on a real WebGPU implementation: Dawn (the `webgpu` package) over Mesa's lavapipe on
// the CI machines. lavapipe is a software Vulkan driver, but it runs the same WGSL shaders a GPU
// would, so training steps, finite-difference gradients, the kernel fixes and the WGSL kernels are
// checked here (the PyTorch reference is a variant of reference.test.ts). Without an adapter the
// suite is skipped with the reason, except under CI, which installs Mesa 25 and must run it.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ids, micro, referenceDir } from '../../__fixtures__/helpers.ts';
import { backendStatus, GPT, loadGPT2, setBackend } from '../../index.ts';
import { gelu } from '../ops/layers.ts';
import { assertFitsWebGpu, probeWebGpu, webGpuStatus } from './adapter.ts';

const probe = await probeWebGpu();
if (!probe.ok && process.env.CI)
  throw new Error(`CI must run the WebGPU suite, but: ${probe.reason}`);
const skipReason = probe.ok ? '' : ` (skipped: ${probe.reason})`;

// The PyTorch reference checks run on WebGPU as one more variant of reference.test.ts.
describe.skipIf(!probe.ok)(`GPT-2 training on WebGPU${skipReason}`, () => {
  let model: GPT;
  beforeAll(async () => {
    expect(await setBackend('webgpu')).toBe('webgpu');
    model = await loadGPT2(referenceDir);
  });
  afterAll(() => model?.dispose());

  it('reports the adapter, whether it is software, and its buffer limits', () => {
    const status = webGpuStatus();
    expect(status).toBeDefined();
    expect(status?.maxStorageBufferBindingSize).toBeGreaterThan(0);
    expect(status?.maxBufferSize).toBeGreaterThanOrEqual(status?.maxStorageBufferBindingSize ?? 0);
    // lavapipe on CI says so; a real GPU would not.
    if (/llvmpipe/.test(status?.description ?? '')) expect(status?.software).toBe(true);
  });

  it('keeps the tensor count flat across training steps', async () => {
    // Fresh weights in the loaded model's shape, on ids of its vocabulary.
    const trained = new GPT(model.config, { seed: 5 });
    const vars = [...trained.parameters.values()];
    const inputs = ids(2, 16, model.config.vocabSize, 3);
    const targets = ids(2, 16, model.config.vocabSize, 4);
    const step = async () => {
      const { value, grads } = tf.variableGrads(() => trained.loss(inputs, targets), vars);
      tf.tidy(() => {
        for (const v of vars) v.assign(tf.sub(v, tf.mul(grads[v.name], 1e-2)));
      });
      const loss = (await value.data())[0];
      value.dispose();
      tf.dispose(grads);
      return loss;
    };
    const first = await step();
    const before = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 3; i++) last = await step();
    expect(tf.memory().numTensors).toBe(before);
    expect(last).toBeLessThan(first);
    trained.dispose();
  });
});

describe.skipIf(!probe.ok)(`finite-difference gradients on WebGPU${skipReason}`, () => {
  const inputs = ids(2, 8, micro.vocabSize, 1);
  const targets = ids(2, 8, micro.vocabSize, 2);
  const lossMask = [
    [1, 1, 0, 1, 1, 1, 0, 1],
    [0, 1, 1, 1, 1, 0, 1, 1],
  ];

  it('agrees with central differences along the gradient direction', async () => {
    await setBackend('webgpu');
    const model = new GPT(micro, { seed: 3 });
    for (const v of model.parameters.values()) tf.tidy(() => v.assign(tf.mul(v, 2)));
    const vars = [...model.parameters.values()];
    const read = async (t: tf.Tensor) => {
      const value = (await t.data())[0];
      t.dispose();
      return value;
    };
    const lossAt = () => read(model.loss(inputs, targets, { lossMask }));
    const { grads } = tf.variableGrads(() => model.loss(inputs, targets, { lossMask }), vars);
    // Direction d = g / |g|: the directional derivative is |g|, large next to float32 noise.
    const squares = tf.addN(vars.map((v) => tf.sum(tf.square(grads[v.name]))));
    const norm = Math.sqrt(await read(squares));
    const epsilon = 1e-2;
    const shift = (sign: number) =>
      tf.tidy(() => {
        for (const v of vars) v.assign(tf.add(v, tf.mul(grads[v.name], (sign * epsilon) / norm)));
      });
    shift(1);
    const plus = await lossAt();
    shift(-2);
    const minus = await lossAt();
    shift(1);
    const numeric = (plus - minus) / (2 * epsilon);
    expect(Math.abs(numeric - norm) / norm).toBeLessThan(2e-2);
    tf.dispose(grads);
    model.dispose();
  });
});

describe.skipIf(!probe.ok)(`stock-kernel fixes on WebGPU${skipReason}`, () => {
  it('sums 12 GPU-resident tensors with AddN (stock tfjs gives zeros past 7 inputs)', async () => {
    await setBackend('webgpu');
    for (const shape of [[], [3, 40]]) {
      const parts = Array.from({ length: 12 }, (_, i) => tf.sum(tf.fill([...shape, 2], i + 1), -1));
      const before = tf.memory().numTensors;
      const total = tf.addN(parts);
      expect(tf.memory().numTensors).toBe(before + 1);
      const size = shape.reduce((a, b) => a * b, 1);
      expect((await tf.sum(total).data())[0]).toBe(size * 2 * 78);
      tf.dispose([total, ...parts]);
    }
  });
});

describe.skipIf(!probe.ok)(`WGSL kernels${skipReason}`, () => {
  it('runs GELU and its gradient as one kernel each, equal to the tfjs formula', async () => {
    await setBackend('webgpu');
    expect(backendStatus().families.find((f) => f.name === 'webgpu')?.kernels).toEqual(
      expect.arrayContaining(['LmkitGelu', 'LmkitGeluGrad']),
    );
    // Values across the curve, including the tails where tanh saturates.
    const values = Array.from({ length: 4 * 64 }, (_, i) => (i - 128) / 8);
    const x = tf.tensor2d(values, [4, 64]);
    const dy = tf.tensor2d(
      values.map((v, i) => Math.cos(i) + v / 10),
      [4, 64],
    );
    const formula = (t: tf.Tensor) => {
      const inner = tf.mul(
        tf.add(t, tf.mul(tf.mul(tf.mul(t, t), t), 0.044715)),
        Math.sqrt(2 / Math.PI),
      );
      return tf.mul(tf.mul(t, 0.5), tf.add(tf.tanh(inner), 1));
    };
    const kernelGrad = tf.grad((t: tf.Tensor) => gelu(t as tf.Tensor2D));
    const formulaGrad = tf.grad(formula);
    const [ours, theirs, ourGrad, theirGrad] = await Promise.all(
      [gelu(x), formula(x), kernelGrad(x, dy), formulaGrad(x, dy)].map((t) => t.data()),
    );
    for (let i = 0; i < values.length; i++) {
      expect(Math.abs(ours[i] - theirs[i])).toBeLessThan(1e-5 * (1 + Math.abs(theirs[i])));
      expect(Math.abs(ourGrad[i] - theirGrad[i])).toBeLessThan(1e-4 * (1 + Math.abs(theirGrad[i])));
      expect(Number.isFinite(ours[i]) && Number.isFinite(ourGrad[i])).toBe(true);
    }
    tf.dispose([x, dy]);
  });
});

describe.skipIf(!probe.ok)(`backend choice with WebGPU present${skipReason}`, () => {
  it("lets 'auto' pass over a software adapter and say why in one line", async () => {
    if (!probe.ok) return;
    const chosen = await setBackend('auto');
    const status = backendStatus();
    if (probe.adapter.software) {
      expect(chosen).not.toBe('webgpu');
      expect(status.reason).toMatch(/^auto, not WebGPU: the WebGPU adapter is software \(.+\)/);
      expect(status.reason).not.toContain('\n');
    } else {
      expect(chosen).toBe('webgpu');
      expect(status.adapter?.software).toBe(false);
    }
    expect(await setBackend('webgpu')).toBe('webgpu');
    expect(backendStatus().adapter?.maxBufferSize).toBe(probe.adapter.maxBufferSize);
  });
});

describe('WebGPU buffer limits', () => {
  it('names the tensor, its size and the limit when a tensor cannot be bound', () => {
    const adapter = {
      vendor: 'test',
      architecture: '',
      device: '',
      description: 'test adapter',
      software: false,
      maxBufferSize: 256 * 2 ** 20,
      maxStorageBufferBindingSize: 128 * 2 ** 20,
    };
    expect(() =>
      assertFitsWebGpu(adapter, [{ name: 'logits (8, 1024, 50257)', bytes: 8 * 1024 * 50257 * 4 }]),
    ).toThrow(/logits \(8, 1024, 50257\) needs 1570\.5 MiB in one buffer, over .* 128\.0 MiB/);
    expect(() => assertFitsWebGpu(adapter, [{ name: 'wte', bytes: 64 * 2 ** 20 }])).not.toThrow();
  });
});
