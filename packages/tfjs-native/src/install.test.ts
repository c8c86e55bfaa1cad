// installNativeKernels outside the happy path: a missing addon (the fallback: stock kernels stay,
// one stderr line with the fix), unsupported backends, and bad thread counts.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it, vi } from 'vitest';
import { installNativeKernels, nativeStatus, setNativeThreads, TfjsNativeError } from './index.ts';

describe('installNativeKernels fallback', () => {
  it('returns installed: false, keeps the stock kernels and prints one hint line when the addon is missing', async () => {
    await tf.setBackend('cpu');
    const stock = tf.getKernel('BatchMatMul', 'cpu');
    const writes: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      writes.push(String(chunk));
      return true;
    });
    try {
      const missing = '/nonexistent/lmkit_tfjs_native.node';
      const first = await installNativeKernels({ addonPath: missing });
      const second = await installNativeKernels({ addonPath: missing });
      expect(first).toMatchObject({ installed: false, kernels: [], backend: 'cpu' });
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

describe('installNativeKernels options', () => {
  it('declines backends without native kernels', async () => {
    const result = await installNativeKernels({ backend: 'webgl' as 'cpu', quiet: true });
    expect(result).toMatchObject({ installed: false, backend: 'webgl' });
    expect(result.reason).toMatch(/only wasm and cpu/);
  });

  it.each([0, -1, 1.5, 5000])('rejects threads = %s with a TfjsNativeError', async (threads) => {
    await expect(installNativeKernels({ threads })).rejects.toThrow(TfjsNativeError);
    await expect(installNativeKernels({ threads })).rejects.toThrow(/\[1, 1024\]/);
  });
});
