// Backend selection and the wasm kernel fixes: the XNNPACK-routed BatchMatMul must agree with
// the stock kernel for every batched and transposed case, without leaking wasm memory.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  findNativeTensorflow,
  GPTModelError,
  Rng,
  registerWasmBatchMatMul,
  setBackend,
  unregisterWasmBatchMatMul,
} from './index.ts';

describe('setBackend', () => {
  it('falls back from auto to wasm when no native addon is installed', async () => {
    expect(findNativeTensorflow()).toBeUndefined();
    expect(await setBackend('auto')).toBe('wasm');
    expect(await setBackend('cpu')).toBe('cpu');
    expect(await setBackend('wasm')).toBe('wasm');
  });

  it('finds a native addon only when its binding file exists', async () => {
    const app = await mkdtemp(join(tmpdir(), 'gpt-model-app-'));
    const root = join(app, 'node_modules', '@tensorflow', 'tfjs-node');
    await mkdir(join(root, 'lib', 'napi-v8'), { recursive: true });
    await writeFile(
      join(root, 'package.json'),
      '{"name":"@tensorflow/tfjs-node","main":"index.js"}',
    );
    await writeFile(join(root, 'index.js'), '');
    expect(findNativeTensorflow(app)).toBeUndefined();
    await writeFile(join(root, 'lib', 'napi-v8', 'tfjs_binding.node'), '');
    expect(findNativeTensorflow(app)).toBe(join(root, 'index.js'));
  });

  it('explains how to install native TensorFlow when it is requested but missing', async () => {
    await expect(setBackend('tensorflow')).rejects.toThrow(GPTModelError);
    await expect(setBackend('tensorflow')).rejects.toThrow(/pnpm add @tensorflow\/tfjs-node-gpu/);
    await expect(setBackend('gpu' as never)).rejects.toThrow(/unknown backend "gpu"/);
  });
});

describe('wasm BatchMatMul through XNNPACK', () => {
  beforeAll(async () => {
    await setBackend('wasm');
  });

  it('clones (Identity) share the buffer yet outlive the original', () => {
    const a = tf.tensor([1, 2, 3]);
    const b = tf.clone(a);
    a.dispose();
    expect([...b.dataSync()]).toEqual([1, 2, 3]);
    const before = tf.memory().numTensors;
    b.dispose();
    expect(tf.memory().numTensors).toBe(before - 1);
  });

  const cases: [number[], number[], boolean, boolean][] = [
    [[5, 7], [3, 7], false, true],
    [[7, 5], [7, 3], true, false],
    [[7, 5], [3, 7], true, true],
    [[2, 3, 5, 7], [2, 3, 7, 4], false, false],
    [[2, 3, 50, 70], [2, 3, 70, 40], false, false],
    [[2, 3, 70, 50], [2, 3, 40, 70], true, true],
    [[2, 3, 5, 7], [2, 3, 4, 7], false, true],
    [[2, 3, 7, 5], [2, 3, 7, 4], true, false],
    [[4, 5, 7], [7, 3], false, false],
    [[4, 5, 7], [3, 7], false, true],
    [[5, 7], [4, 7, 3], false, false],
    [[50, 70], [4, 70, 40], false, false],
  ];

  for (const [aShape, bShape, transposeA, transposeB] of cases) {
    it(`matches the stock kernel for [${aShape}]${transposeA ? 'ᵀ' : ''} × [${bShape}]${transposeB ? 'ᵀ' : ''}`, () => {
      const rng = new Rng(aShape.length * 10 + bShape.length);
      const size = (s: number[]) => s.reduce((x, y) => x * y, 1);
      const a = tf.tensor(rng.normalArray(size(aShape), 1), aShape);
      const b = tf.tensor(rng.normalArray(size(bShape), 1), bShape);
      unregisterWasmBatchMatMul();
      const stock = tf.matMul(a, b, transposeA, transposeB);
      registerWasmBatchMatMul();
      const bytesBefore = tf.memory().numBytes;
      const fast = tf.matMul(a, b, transposeA, transposeB);
      expect(tf.memory().numBytes - bytesBefore).toBe(fast.size * 4);
      expect(fast.shape).toEqual(stock.shape);
      const error = tf.tidy(() => tf.max(tf.abs(tf.sub(fast, stock))).dataSync()[0]);
      expect(error).toBeLessThan(1e-5);
      tf.dispose([a, b, stock, fast]);
    });
  }
});
