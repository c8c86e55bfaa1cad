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

/** Worker body (CommonJS, evaluated): loads tsx if asked, calls the task, posts its result or error. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  if (workerData.tsxApi) (await import(workerData.tsxApi)).register();
  const module = await import(workerData.moduleUrl);
  const task = module[workerData.exportName];
  if (typeof task !== 'function') {
    throw new Error(workerData.moduleUrl + ' has no exported function ' + workerData.exportName);
  }
  parentPort.postMessage({ result: await task(workerData.options) });
})().catch((error) => {
  parentPort.postMessage({ error: error && error.message ? error.message : String(error) });
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

export interface TaskPoolOptions<Options> {
  /** Module exporting the task function (a file URL or absolute path; `.ts` runs through tsx). */
  module: string | URL;
  /** Name of the exported function; it receives `{ ...options, taskIndex, taskCount }`. */
  exportName: string;
  /** Structured-cloneable options passed to every task. */
  options: Options;
  /** Task indices to run; default 0..taskCount-1. */
  tasks?: readonly number[];
  taskCount: number;
  /** Worker threads at once. Default 2. */
  concurrency?: number;
}

/** Runs each task in its own worker thread, at most `concurrency` at once; results in task order. */
export async function runTaskPool<Options extends object, Result>(
  options: TaskPoolOptions<Options>,
): Promise<Result[]> {
  const tasks = options.tasks ?? Array.from({ length: options.taskCount }, (_, i) => i);
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
  const tsxApi = moduleUrl.endsWith('.ts') ? tsxRegisterUrl() : undefined;
  // TypeScript task modules (inside the repo, in tests) run through tsx's loader.
  const execArgv = tsxApi ? ['--conditions=source'] : [];
  const results: Result[] = new Array(tasks.length);
  let next = 0;
  const runOne = (position: number) =>
    new Promise<void>((resolve, reject) => {
      const taskIndex = tasks[position];
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        execArgv,
        workerData: {
          tsxApi,
          moduleUrl,
          exportName: options.exportName,
          options: { ...options.options, taskIndex, taskCount: options.taskCount },
        },
      });
      let settled = false;
      worker.once('message', (message: { result?: Result; error?: string }) => {
        settled = true;
        if (message.error === undefined) {
          results[position] = message.result as Result;
          resolve();
        } else {
          reject(
            new CrawlerFiltersError('task-failed', `task ${taskIndex} failed: ${message.error}`),
          );
        }
      });
      worker.once('error', (error) => {
        settled = true;
        reject(
          new CrawlerFiltersError('task-failed', `task ${taskIndex} failed: ${error.message}`, {
            cause: error,
          }),
        );
      });
      worker.once('exit', (code) => {
        if (!settled) {
          reject(
            new CrawlerFiltersError(
              'task-failed',
              `task ${taskIndex} exited with code ${code} before reporting`,
            ),
          );
        }
      });
    });
  const lane = async () => {
    while (next < tasks.length) await runOne(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, lane));
  return results;
}
