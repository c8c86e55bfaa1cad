// One pool of worker threads for the toolkit, on tinypool. A worker module exports plain functions
// `(input, workerData) => result`; the pool calls them by name. A `.ts` module (running from the
// repository's sources, in tests and CLIs) is loaded through tsx, registered inside each worker,
// because Node 20 does not carry the parent's loaders into worker threads. Built `.js` modules load
// directly. Per-worker state (a tokenizer built once) lives in the worker module, keyed on first use.

import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import Tinypool from 'tinypool';
import { LmkitError } from '../errors.ts';

export interface WorkerPoolOptions {
  /** The worker module: a file URL or absolute path. Use `workerModule()` for a package's sibling. */
  module: string | URL;
  /** Worker threads. Default `os.availableParallelism()`. */
  threads?: number;
  /** Structured-cloneable data every call receives as its second argument (sent once per worker). */
  workerData?: unknown;
  /** Node flags for the workers. Default: `--conditions=source` for `.ts` modules, else the parent's. */
  execArgv?: string[];
}

export interface RunOptions {
  /** Buffers moved to the worker instead of copied (the caller must not use them afterwards). */
  transfer?: readonly ArrayBuffer[];
}

export interface WorkerPool {
  readonly threads: number;
  /** Calls `exportName(input, workerData)` in the next free worker; resolves with its result. */
  run<Result>(exportName: string, input: unknown, options?: RunOptions): Promise<Result>;
  /** Stops the workers; pending calls reject. */
  close(): Promise<void>;
}

/**
 * The module `name` beside the caller, in the caller's own flavour: `name.ts` when the caller runs
 * from TypeScript sources, `name.js` when built.
 * @example
 * createWorkerPool({ module: workerModule(import.meta.url, './encode-worker') });
 */
export function workerModule(callerUrl: string, relativeName: string): URL {
  const extension = callerUrl.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`${relativeName}${extension}`, callerUrl);
}

/** File URL of tsx's ESM `register` API. */
function tsxRegisterUrl(): string {
  try {
    const cjs = createRequire(import.meta.url).resolve('tsx/esm/api');
    return pathToFileURL(cjs.replace(/\.cjs$/u, '.mjs')).href;
  } catch (cause) {
    throw new LmkitError(
      'a TypeScript worker module needs tsx to run in a worker thread; install tsx (a dev dependency) or pass a built .js module',
      { cause },
    );
  }
}

/**
 * The worker entry every pool starts (a data: URL, so it needs no loader itself): registers tsx
 * when asked, imports the worker module once and calls the named export.
 */
const ENTRY = `
import { workerData } from 'node:worker_threads';
const config = workerData[1];
let loaded;
export default async function call({ exportName, input }) {
  loaded ??= (async () => {
    if (config.tsx) (await import(config.tsx)).register();
    return import(config.module);
  })();
  const module = await loaded;
  const fn = module[exportName];
  if (typeof fn !== 'function') {
    throw new Error(config.module + ' has no exported function ' + exportName + '; export it from the worker module');
  }
  return fn(input, config.data);
}
`;
const ENTRY_URL = `data:text/javascript;base64,${Buffer.from(ENTRY).toString('base64')}`;

/** Starts a pool of worker threads over one worker module; they stay up until `close()`. */
export function createWorkerPool(options: WorkerPoolOptions): WorkerPool {
  const threads = options.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) {
    throw new LmkitError(
      `threads ${options.threads} is not a positive integer; pass 1 or more (e.g. the number of cores)`,
    );
  }
  const module =
    options.module instanceof URL || String(options.module).startsWith('file:')
      ? String(options.module)
      : pathToFileURL(String(options.module)).href;
  const fromSource = module.endsWith('.ts');
  const tinypool = new Tinypool({
    filename: ENTRY_URL,
    // Workers stay up between calls (each loads its module and state once).
    minThreads: threads,
    maxThreads: threads,
    workerData: {
      module,
      tsx: fromSource ? tsxRegisterUrl() : undefined,
      data: options.workerData,
    },
    execArgv: options.execArgv ?? (fromSource ? ['--conditions=source'] : undefined),
  });
  let closed = false;
  return {
    threads,
    async run<Result>(exportName: string, input: unknown, runOptions: RunOptions = {}) {
      if (closed)
        throw new LmkitError(`the worker pool over ${module} is closed; create a new one`);
      return (await tinypool.run(
        { exportName, input },
        { transferList: runOptions.transfer ? [...runOptions.transfer] : undefined },
      )) as Result;
    },
    async close() {
      closed = true;
      await tinypool.destroy();
    },
  };
}
