// Encodes many texts over worker threads: each worker gets the vocabulary's arrays once, then pulls
// texts from a shared queue, so long and short documents balance. Results come back in input order.
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EncodeWorkerData } from './encode-worker.ts';
import { BpeError } from './errors.ts';
import type { AllowedSpecial } from './special-tokens.ts';
import type { Tokenizer } from './tokenizer.ts';

export interface EncodeBatchOptions {
  tokenizer: Tokenizer;
  texts: readonly string[];
  /** Worker threads; default: `os.availableParallelism()`, never more than there are texts. */
  threads?: number;
  /** As in `Tokenizer.encode`; default none (a special token in a text rejects the batch). */
  allowedSpecial?: AllowedSpecial;
  /** Encode as ordinary text (`encodeOrdinary`); default false. */
  ordinary?: boolean;
}

/** The worker: a .js file when built; from TypeScript sources, a bootstrap that registers tsx first. */
function startWorker(data: EncodeWorkerData): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const url = new URL(fromSource ? './encode-worker.ts' : './encode-worker.js', import.meta.url);
  if (!fromSource) return new Worker(url, { workerData: data });
  // Worker threads do not inherit module hooks (tsx, vitest): register tsx in the worker first.
  const tsxRoot = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsx = pathToFileURL(join(tsxRoot, 'dist/esm/api/index.mjs')).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: data });
}

export type EncodePoolOptions = Omit<EncodeBatchOptions, 'texts'>;

interface Batch {
  texts: readonly string[];
  results: number[][];
  next: number;
  done: number;
  resolve: (ids: number[][]) => void;
  reject: (error: Error) => void;
}

/**
 * Worker threads that stay up between batches (start once, encode many batches, close). Each worker
 * pulls the next text when it finishes one, so long and short texts balance.
 */
export class EncodePool {
  readonly threads: number;
  private readonly workers: Worker[] = [];
  private batch: Batch | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private failure: Error | undefined;

  constructor(options: EncodePoolOptions) {
    const threads = options.threads ?? availableParallelism();
    if (!Number.isInteger(threads) || threads < 1) {
      throw new BpeError(`threads ${options.threads} is not a positive integer; pass 1 or more`);
    }
    this.threads = threads;
    const { tokenizer } = options;
    const allowedSpecial =
      options.allowedSpecial instanceof Set ? [...options.allowedSpecial] : options.allowedSpecial;
    const data: EncodeWorkerData = {
      name: tokenizer.name,
      pattern: tokenizer.pattern,
      ranks: tokenizer.ranks.toData(),
      specialTokens: Object.fromEntries(tokenizer.specialTokens),
      allowedSpecial: allowedSpecial as AllowedSpecial | undefined,
      ordinary: options.ordinary ?? false,
    };
    for (let i = 0; i < threads; i++) {
      const worker = startWorker(data);
      worker.on('message', (reply: { index: number; ids?: Int32Array; error?: string }) =>
        this.onReply(worker, reply),
      );
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => {
        if (code !== 0) this.fail(new BpeError(`encode worker exited with code ${code}`));
      });
      this.workers.push(worker);
    }
  }

  /** Encodes each text (like `tokenizer.encode`); ids in input order. Batches run one at a time. */
  encode(texts: readonly string[]): Promise<number[][]> {
    const run = this.queue.then(
      () =>
        new Promise<number[][]>((resolve, reject) => {
          if (this.failure) return reject(this.failure);
          const results: number[][] = new Array(texts.length);
          if (texts.length === 0) return resolve(results);
          this.batch = { texts, results, next: 0, done: 0, resolve, reject };
          for (const worker of this.workers) this.feed(worker);
        }),
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private feed(worker: Worker) {
    const batch = this.batch;
    if (!batch || batch.next >= batch.texts.length) return;
    const index = batch.next++;
    worker.postMessage({ index, text: batch.texts[index] });
  }

  private onReply(worker: Worker, reply: { index: number; ids?: Int32Array; error?: string }) {
    const batch = this.batch;
    if (!batch) return;
    if (reply.error !== undefined) {
      this.batch = undefined;
      batch.reject(new BpeError(`text ${reply.index}: ${reply.error}`));
      return;
    }
    batch.results[reply.index] = Array.from(reply.ids!);
    if (++batch.done === batch.texts.length) {
      this.batch = undefined;
      batch.resolve(batch.results);
      return;
    }
    this.feed(worker);
  }

  private fail(error: Error) {
    this.failure ??= error;
    const batch = this.batch;
    this.batch = undefined;
    batch?.reject(error);
  }
}

/** Encodes each text (like `tokenizer.encode`) across worker threads; ids in input order. */
export async function encodeBatch(options: EncodeBatchOptions): Promise<number[][]> {
  if (options.texts.length === 0) return [];
  const threads = Math.min(options.threads ?? availableParallelism(), options.texts.length);
  const pool = new EncodePool({ ...options, threads });
  try {
    return await pool.encode(options.texts);
  } finally {
    await pool.close();
  }
}
