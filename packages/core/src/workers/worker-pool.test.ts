import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../random.ts';
import { createWorkerPool, workerModule } from './worker-pool.ts';

const module = new URL('./__fixtures__/sample-worker.ts', import.meta.url);

describe('createWorkerPool', () => {
  it('runs named exports of a TypeScript module in worker threads, with workerData', async () => {
    const pool = createWorkerPool({ module, threads: 2, workerData: { seed: 7 } });
    try {
      const results = await Promise.all(
        [1, 2, 3, 4, 5].map((value) =>
          pool.run<{ value: number; seed: number }>('square', { value }),
        ),
      );
      expect(results).toEqual([1, 4, 9, 16, 25].map((value) => ({ value, seed: 7 })));
      const expected = new SeededRandom(7);
      const drawn = await pool.run<number[]>('draw', { count: 3 });
      expect(drawn).toEqual([expected.nextUint32(), expected.nextUint32(), expected.nextUint32()]);
      const who = await pool.run<{ threadId: number; calls: number }>('whoAmI', {});
      expect(who.threadId).toBeGreaterThan(0); // not the main thread
    } finally {
      await pool.close();
    }
  });

  it('moves transferred buffers and reports a worker error with its message', async () => {
    const pool = createWorkerPool({ module, threads: 1, workerData: { seed: 1 } });
    try {
      const values = Float64Array.from([1.5, 2.5, 4]);
      expect(await pool.run('sum', { values }, { transfer: [values.buffer] })).toBe(8);
      expect(values.byteLength).toBe(0); // moved, not copied
      // the worker stays up between calls: same thread, module state kept
      await pool.run('square', { value: 2 });
      const first = await pool.run<{ threadId: number; calls: number }>('whoAmI', {});
      await pool.run('square', { value: 3 });
      const second = await pool.run<{ threadId: number; calls: number }>('whoAmI', {});
      expect(second).toEqual({ threadId: first.threadId, calls: first.calls + 1 });
      await expect(pool.run('fail', { message: 'bad input 3; pass 1 or 2' })).rejects.toThrow(
        'bad input 3; pass 1 or 2',
      );
      await expect(pool.run('missing', {})).rejects.toThrow(/has no exported function missing/);
    } finally {
      await pool.close();
    }
    await expect(pool.run('square', { value: 1 })).rejects.toThrow(/is closed/);
  });

  it("checks its thread count and picks a sibling module in the caller's flavour", () => {
    expect(() => createWorkerPool({ module, threads: 0 })).toThrow(
      /threads 0 is not a positive integer/,
    );
    expect(workerModule('file:///pkg/src/a.ts', './encode-worker').href).toBe(
      'file:///pkg/src/encode-worker.ts',
    );
    expect(workerModule('file:///pkg/dist/a.js', './encode-worker').href).toBe(
      'file:///pkg/dist/encode-worker.js',
    );
  });
});
