import { describe, expect, it } from 'vitest';
import { CrawlerFiltersError } from './errors.ts';
import { createTaskPool, filesForTask, resolveTaskSlot, runTaskPool } from './tasks.ts';

describe('resolveTaskSlot', () => {
  it('prefers explicit values, then the Slurm array environment, then task 0 of 1', () => {
    const env = { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_COUNT: '8' };
    expect(resolveTaskSlot({ env: {} })).toEqual({ taskIndex: 0, taskCount: 1 });
    expect(resolveTaskSlot({ env })).toEqual({ taskIndex: 3, taskCount: 8 });
    expect(resolveTaskSlot({ env, taskIndex: 1 })).toEqual({ taskIndex: 1, taskCount: 8 });
    expect(resolveTaskSlot({ env, taskIndex: 0, taskCount: 2 })).toEqual({
      taskIndex: 0,
      taskCount: 2,
    });
    // Arrays declared as --array=1-4 number tasks from SLURM_ARRAY_TASK_MIN.
    expect(
      resolveTaskSlot({
        env: { SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '4' },
      }),
    ).toEqual({
      taskIndex: 3,
      taskCount: 4,
    });
  });

  it('names the bad value and the fix', () => {
    expect(() => resolveTaskSlot({ env: { SLURM_ARRAY_TASK_ID: 'x' } })).toThrow(
      /SLURM_ARRAY_TASK_ID="x" is not an integer/,
    );
    expect(() => resolveTaskSlot({ env: {}, taskIndex: 2, taskCount: 2 })).toThrow(
      /task index 2 is outside 0\.\.1/,
    );
    expect(() => resolveTaskSlot({ env: {}, taskCount: 0 })).toThrow(CrawlerFiltersError);
  });
});

describe('filesForTask', () => {
  it('splits into contiguous blocks that cover every file once, in order', () => {
    const files = Array.from({ length: 11 }, (_, i) => `f${i}`);
    for (const taskCount of [1, 2, 3, 4, 11, 15]) {
      const blocks = Array.from({ length: taskCount }, (_, taskIndex) =>
        filesForTask({ files, taskIndex, taskCount }),
      );
      expect(blocks.flat()).toEqual(files);
      const sizes = blocks.map((b) => b.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
    expect(filesForTask({ files: ['a', 'b', 'c'], taskIndex: 1, taskCount: 2 })).toEqual([
      'b',
      'c',
    ]);
  });
});

describe('createTaskPool / runTaskPool', () => {
  it('runs tasks in worker threads, results in task order, and reports failures by task', async () => {
    const pool = createTaskPool({ module: new URL('./tasks.ts', import.meta.url), concurrency: 2 });
    try {
      const options = { files: ['a', 'b', 'c', 'd', 'e'] };
      expect(await pool.run({ exportName: 'filesForTask', options, taskCount: 3 })).toEqual([
        ['a'],
        ['b', 'c'],
        ['d', 'e'],
      ]);
      // The same workers run the next batch; a throwing task names its index and the message.
      await expect(
        pool.run({ exportName: 'filesForTask', options: { files: null }, taskCount: 1 }),
      ).rejects.toThrow(/task 0 failed: .*null/);
      await expect(pool.run({ exportName: 'nope', options: {}, taskCount: 1 })).rejects.toThrow(
        /has no exported function nope/,
      );
      expect(
        await pool.run({ exportName: 'filesForTask', options, taskCount: 1, tasks: [0] }),
      ).toEqual([options.files]);
    } finally {
      await pool.close();
    }
  });

  it('runTaskPool runs one batch on a fresh pool', async () => {
    const results = await runTaskPool<string[]>({
      module: new URL('./tasks.ts', import.meta.url),
      exportName: 'filesForTask',
      options: { files: ['a', 'b'] },
      taskCount: 2,
      concurrency: 1,
    });
    expect(results).toEqual([['a'], ['b']]);
  });
});
