// Encodes many texts over worker threads (@lmkit/core's worker pool): each worker gets the
// vocabulary's arrays once, then takes texts one at a time from the pool's queue, so long and short
// documents balance. Results come back in input order.
import { availableParallelism } from 'node:os';
import { LmkitError } from '@lmkit/core';
import { createWorkerPool, type WorkerPool, workerModule } from '@lmkit/core/workers';
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

export type EncodePoolOptions = Omit<EncodeBatchOptions, 'texts'>;

/** Worker threads that stay up between batches (start once, encode many batches, close). */
export class EncodePool {
  readonly threads: number;
  readonly #pool: WorkerPool;

  constructor(options: EncodePoolOptions) {
    const threads = options.threads ?? availableParallelism();
    if (!Number.isInteger(threads) || threads < 1) {
      throw new BpeError(`threads ${options.threads} is not a positive integer; pass 1 or more`);
    }
    this.threads = threads;
    const { tokenizer } = options;
    const allowedSpecial =
      options.allowedSpecial instanceof Set ? [...options.allowedSpecial] : options.allowedSpecial;
    const workerData: EncodeWorkerData = {
      name: tokenizer.name,
      pattern: tokenizer.pattern,
      ranks: tokenizer.ranks.toData(),
      specialTokens: Object.fromEntries(tokenizer.specialTokens),
      allowedSpecial: allowedSpecial as AllowedSpecial | undefined,
      ordinary: options.ordinary ?? false,
    };
    const module = workerModule(import.meta.url, './encode-worker');
    this.#pool = createWorkerPool({ module, threads, workerData });
  }

  /** Encodes each text (like `tokenizer.encode`); ids in input order. */
  encode(texts: readonly string[]): Promise<number[][]> {
    return Promise.all(
      texts.map(async (text, index) => {
        try {
          return Array.from(await this.#pool.run<Int32Array>('encode', { text }));
        } catch (error) {
          const message = (error as Error).message ?? String(error);
          throw LmkitError.isInstance(error)
            ? error
            : new BpeError(`text ${index}: ${message}`, { cause: error });
        }
      }),
    );
  }

  /** Stops the workers. */
  close(): Promise<void> {
    return this.#pool.close();
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
