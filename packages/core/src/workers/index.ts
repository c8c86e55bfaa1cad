// @lmkit/core/workers (Node only): one pool of worker threads, on tinypool.

export {
  createWorkerPool,
  type RunOptions,
  type WorkerPool,
  type WorkerPoolOptions,
  workerModule,
} from './worker-pool.ts';
