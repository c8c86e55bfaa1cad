// The kernel family outside the happy path, installed by gpt-model's runtime installer: a missing
// addon (stock kernels stay, one stderr line with the fix), backends it does not serve, and bad
// options.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it, vi } from 'vitest';
import { installNative } from './__fixtures__/runtime.ts';
import {
  createNativeKernelFamily,
  nativeKernelFamily,
  nativeStatus,
  setNativeThreads,
  TfjsNativeError,
} from './index.ts';

describe('native kernel family fallback', () => {
  it('installs nothing, keeps the stock kernels and prints one hint line when the addon is missing', async () => {
    await tf.setBackend('cpu');
    const stock = tf.getKernel('BatchMatMul', 'cpu');
    const writes: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      writes.push(String(chunk));
      return true;
    });
    try {
      const missing = '/nonexistent/lmkit_tfjs_native.node';
      const first = await installNative('cpu', { addonPath: missing });
      const second = await installNative('cpu', { addonPath: missing });
      expect(first).toMatchObject({ name: 'tfjs-native', installed: false, kernels: [] });
      expect(first.reason).toContain(missing);
      expect(second.installed).toBe(false);
      expect(writes).toHaveLength(1);
      expect(writes[0]).toMatch(/libopenblas-dev/);
      expect(writes[0].trim().split('\n')).toHaveLength(1);
      expect(tf.getKernel('BatchMatMul', 'cpu')).toBe(stock);
      expect(tf.matMul(tf.eye(2), tf.tensor2d([1, 2, 3, 4], [2, 2])).dataSync()).toEqual(
        new Float32Array([1, 2, 3, 4]),
      );
    } finally {
      spy.mockRestore();
    }
  });

  it('reports a file that is not the addon as a reason, not a crash', () => {
    const status = nativeStatus({
      addonPath: new URL('../package.json', import.meta.url).pathname,
    });
    expect(status.available).toBe(false);
    expect(status.reason).toMatch(
      /package\.json is not the current lmkit tfjs-native addon \(missing sgemmBatched/,
    );
  });

  it('setNativeThreads names the missing addon', () => {
    expect(() => setNativeThreads(2, { addonPath: '/nonexistent/addon.node' })).toThrow(
      /cannot set native threads/,
    );
  });
});

describe('native kernel family options', () => {
  it('declines backends without native kernels', async () => {
    expect(nativeKernelFamily.available('webgl')).toEqual({
      available: false,
      reason: expect.stringMatching(/only wasm and cpu/),
    });
    const result = await installNative('webgl', { quiet: true });
    expect(result).toMatchObject({ installed: false, kernels: [] });
    expect(result.reason).toMatch(/serves wasm, cpu only/);
  });

  it.each([0, -1, 1.5, 5000])('rejects threads = %s with a TfjsNativeError', (threads) => {
    expect(() => createNativeKernelFamily({ threads })).toThrow(TfjsNativeError);
    expect(() => createNativeKernelFamily({ threads })).toThrow(/\[1, 1024\]/);
  });

  it('rejects unknown kernel names, listing the known ones', () => {
    expect(() => createNativeKernelFamily({ kernels: ['BatchMatMul', 'Conv2D'] })).toThrow(
      /unknown kernel name\(s\) Conv2D; choose from BatchMatMul, /,
    );
  });
});
