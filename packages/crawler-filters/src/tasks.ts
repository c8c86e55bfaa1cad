// Scale-out: a run splits into tasks (contiguous blocks of its input files), each task knows its
// index and the task count (defaulting from a Slurm job array's environment), and a local pool
// of worker threads runs tasks in parallel.

import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
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

/**
 * Worker body (CommonJS, evaluated): loads tsx if asked and the task module once, then runs each
 * task it is sent and posts back its result or error.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ready = (async () => {
  if (workerData.tsxApi) (await import(workerData.tsxApi)).register();
  return import(workerData.moduleUrl);
})();
parentPort.on('message', async ({ exportName, options }) => {
  try {
    const task = (await ready)[exportName];
    if (typeof task !== 'function') {
      throw new Error(workerData.moduleUrl + ' has no exported function ' + exportName);
    }
    parentPort.postMessage({ result: await task(options) });
  } catch (error) {
    parentPort.postMessage({ error: error && error.message ? error.message : String(error) });
  }
});
`;

/** File URL of tsx's ESM `register` API, to run `.ts` task modules in workers. */
function tsxRegisterUrl(): string {
  try {
    const cjs = createRequire(import.meta.url).resolve('tsx/esm/api');
    return String(new URL(`file://${cjs.replace(/\.cjs$/u, '.mjs')}`));
  } catch {
    throw new CrawlerFiltersError(
      'missing-tsx',
      'a TypeScript task module needs tsx to run in a worker thread; install tsx or pass a built .js module',
    );
  }
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

type Reply = { result?: unknown; error?: string };

/** Starts a pool of worker threads over one task module. */
export function createTaskPool(options: TaskPoolOptions): TaskPool {
  const concurrency = options.concurrency ?? 2;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new CrawlerFiltersError(
      'invalid-option',
      `concurrency ${concurrency} is not a positive integer; pass e.g. the number of cores`,
    );
  }
  const moduleUrl = String(
    options.module instanceof URL ? options.module : new URL(`file://${options.module}`),
  );
  // TypeScript task modules (inside the repo, in tests) run through tsx's loader.
  const tsxApi = moduleUrl.endsWith('.ts') ? tsxRegisterUrl() : undefined;
  const workerOptions = {
    eval: true,
    execArgv: tsxApi ? ['--conditions=source'] : [],
    workerData: { tsxApi, moduleUrl },
  };
  const workers: Worker[] = [];
  const call = (worker: Worker, message: object, taskIndex: number) =>
    new Promise<unknown>((resolve, reject) => {
      const fail = (detail: string, cause?: unknown) => {
        cleanup();
        reject(
          new CrawlerFiltersError('task-failed', `task ${taskIndex} failed: ${detail}`, { cause }),
        );
      };
      const onMessage = (reply: Reply) => {
        cleanup();
        if (reply.error === undefined) resolve(reply.result);
        else fail(reply.error);
      };
      const onError = (error: Error) => fail(error.message, error);
      const onExit = (code: number) => fail(`the worker exited with code ${code}`);
      const cleanup = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage(message);
    });
  return {
    async run<Result>(batch: {
      exportName: string;
      options: object;
      taskCount: number;
      tasks?: readonly number[];
    }): Promise<Result[]> {
      const tasks = batch.tasks ?? Array.from({ length: batch.taskCount }, (_, i) => i);
      while (workers.length < Math.min(concurrency, tasks.length)) {
        workers.push(new Worker(WORKER_SOURCE, workerOptions));
      }
      const results: Result[] = new Array(tasks.length);
      let next = 0;
      const lane = async (worker: Worker) => {
        while (next < tasks.length) {
          const position = next++;
          const taskIndex = tasks[position];
          const options = { ...batch.options, taskIndex, taskCount: batch.taskCount };
          results[position] = (await call(
            worker,
            { exportName: batch.exportName, options },
            taskIndex,
          )) as Result;
        }
      };
      await Promise.all(workers.slice(0, Math.min(concurrency, tasks.length)).map(lane));
      return results;
    },
    async close() {
      await Promise.all(workers.splice(0).map((worker) => worker.terminate()));
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
