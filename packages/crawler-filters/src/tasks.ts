// Scale-out: a run splits into tasks (contiguous blocks of its input files), each task knows its
// index and the task count (defaulting from a Slurm job array's environment), and a local pool
// of worker threads (@lmkit/core's worker pool) runs tasks in parallel.

import { createWorkerPool, type WorkerPool } from '@lmkit/core/workers';
import { CrawlerFiltersError } from './errors.ts';

export interface TaskSlot {
  taskIndex: number;
  taskCount: number;
}

/**
 * The task this process runs: explicit values first, then `SLURM_ARRAY_TASK_ID` (offset by
 * `SLURM_ARRAY_TASK_MIN`) and `SLURM_ARRAY_TASK_COUNT`, else task 0 of 1.
 */
export function resolveTaskSlot(
  options: {
    taskIndex?: number;
    taskCount?: number;
    env?: Record<string, string | undefined>;
  } = {},
): TaskSlot {
  const env = options.env ?? process.env;
  const fromEnv = (name: string) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const value = Number(raw);
    if (!Number.isInteger(value)) {
      throw new CrawlerFiltersError(
        'invalid-task-slot',
        `${name}=${JSON.stringify(raw)} is not an integer; unset it or pass --task-index/--task-count`,
      );
    }
    return value;
  };
  const arrayMin = fromEnv('SLURM_ARRAY_TASK_MIN') ?? 0;
  const arrayId = fromEnv('SLURM_ARRAY_TASK_ID');
  const taskIndex = options.taskIndex ?? (arrayId === undefined ? 0 : arrayId - arrayMin);
  const taskCount = options.taskCount ?? fromEnv('SLURM_ARRAY_TASK_COUNT') ?? 1;
  if (!Number.isInteger(taskCount) || taskCount < 1) {
    throw new CrawlerFiltersError(
      'invalid-task-slot',
      `task count ${taskCount} is not a positive integer; pass --task-count 1 or more`,
    );
  }
  if (!Number.isInteger(taskIndex) || taskIndex < 0 || taskIndex >= taskCount) {
    throw new CrawlerFiltersError(
      'invalid-task-slot',
      `task index ${taskIndex} is outside 0..${taskCount - 1}; pass --task-index below --task-count ${taskCount}`,
    );
  }
  return { taskIndex, taskCount };
}

/**
 * The files task `taskIndex` of `taskCount` handles: a contiguous block of the list, so that
 * tasks in index order see the files in their original order (sizes differ by at most one).
 *
 * @example
 * filesForTask({ files: ['a', 'b', 'c'], taskIndex: 0, taskCount: 2 }); // ['a']
 * filesForTask({ files: ['a', 'b', 'c'], taskIndex: 1, taskCount: 2 }); // ['b', 'c']
 */
export function filesForTask<T>(options: {
  files: readonly T[];
  taskIndex: number;
  taskCount: number;
}): T[] {
  const { files } = options;
  const { taskIndex, taskCount } = resolveTaskSlot({ ...options, env: {} });
  const start = Math.floor((taskIndex * files.length) / taskCount);
  const end = Math.floor(((taskIndex + 1) * files.length) / taskCount);
  return files.slice(start, end);
}

export interface TaskPoolOptions {
  /** Module exporting the task functions (a file URL or absolute path; `.ts` runs through tsx). */
  module: string | URL;
  /** Worker threads. Default 2. */
  concurrency?: number;
}

/** Worker threads that stay up across batches of tasks (so each loads the module once). */
export interface TaskPool {
  /**
   * Runs `exportName({ ...options, taskIndex, taskCount })` for each task, at most one per worker at
   * a time; results in task order. Options must be structured-cloneable.
   */
  run<Result>(batch: {
    exportName: string;
    options: object;
    taskCount: number;
    /** Task indices to run; default 0..taskCount-1. */
    tasks?: readonly number[];
  }): Promise<Result[]>;
  /** Stops the workers. */
  close(): Promise<void>;
}

/** Starts a pool of worker threads over one task module (@lmkit/core's worker pool). */
export function createTaskPool(options: TaskPoolOptions): TaskPool {
  const concurrency = options.concurrency ?? 2;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new CrawlerFiltersError(
      'invalid-option',
      `concurrency ${concurrency} is not a positive integer; pass e.g. the number of cores`,
    );
  }
  let pool: WorkerPool | undefined;
  return {
    async run<Result>(batch: {
      exportName: string;
      options: object;
      taskCount: number;
      tasks?: readonly number[];
    }): Promise<Result[]> {
      const tasks = batch.tasks ?? Array.from({ length: batch.taskCount }, (_, i) => i);
      // Workers start with the first batch and stay up for the next ones.
      pool ??= createWorkerPool({ module: options.module, threads: concurrency });
      const running = pool;
      return Promise.all(
        tasks.map(async (taskIndex) => {
          const input = { ...batch.options, taskIndex, taskCount: batch.taskCount };
          try {
            return await running.run<Result>(batch.exportName, input);
          } catch (cause) {
            const detail = (cause as Error)?.message ?? String(cause);
            throw new CrawlerFiltersError('task-failed', `task ${taskIndex} failed: ${detail}`, {
              cause,
            });
          }
        }),
      );
    },
    async close() {
      await pool?.close();
      pool = undefined;
    },
  };
}

/** One batch on a fresh pool, closed afterwards. */
export async function runTaskPool<Result>(
  options: TaskPoolOptions & {
    exportName: string;
    options: object;
    taskCount: number;
    tasks?: readonly number[];
  },
): Promise<Result[]> {
  const pool = createTaskPool(options);
  try {
    return await pool.run<Result>(options);
  } finally {
    await pool.close();
  }
}
