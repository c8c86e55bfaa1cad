// Tokenizes batches of document texts, in this thread or over @lmkit/core's worker pool (each worker
// loads the tokenizer from its factory once), returning results in submission order.

import { pathToFileURL } from 'node:url';
import { END_OF_TEXT } from '@lmkit/core';
import { createWorkerPool, workerModule } from '@lmkit/core/workers';
import { DatasetsError } from './errors.ts';
import { type TokenizedBatch, tokenizeTexts } from './tokenize-texts.ts';
import type { TokenizeWorkerData } from './tokenize-worker.ts';
import { isTokenizerLike, type TokenizerFactory, type TokenizerLike } from './tokenizer.ts';

export type { TokenizedBatch };

export interface BatchTokenizer {
  readonly vocabSize: number;
  tokenize(texts: string[]): Promise<TokenizedBatch>;
  close(): Promise<void>;
}

export interface BatchTokenizerOptions {
  tokenizer: TokenizerLike | TokenizerFactory;
  /** Worker threads; 0 tokenizes in this thread (default 0 for an object, 1 for a factory). */
  workers?: number;
  separator?: string;
  /** Node flags for the workers (default: this process's). */
  workerExecArgv?: string[];
  /**
   * Called in each worker before the tokenizer factory, e.g. to register a loader for the factory's
   * module. Running from TypeScript sources needs none: the worker pool registers tsx itself.
   */
  workerSetup?: TokenizerFactory;
}

export async function openBatchTokenizer(options: BatchTokenizerOptions): Promise<BatchTokenizer> {
  const separatorName = options.separator ?? END_OF_TEXT;
  const source = options.tokenizer;
  if (isTokenizerLike(source)) {
    if ((options.workers ?? 0) > 0) {
      throw new DatasetsError(
        `workers ${options.workers} needs a tokenizer factory ({ module, exportName, args }): a tokenizer object cannot cross to worker threads`,
      );
    }
    const separator = source.specialTokenId(separatorName);
    if (separator === undefined) {
      throw new DatasetsError(
        `the tokenizer has no special token ${separatorName}; train or load it with that special token`,
      );
    }
    return {
      vocabSize: source.vocabSize,
      tokenize: async (texts) => tokenizeTexts(source, separator, texts),
      close: async () => {},
    };
  }
  const workers = options.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 0) {
    throw new DatasetsError(`workers ${workers} must be a non-negative integer`);
  }
  const module = toUrl(source.module);
  const exportName = source.exportName ?? 'default';
  if (workers === 0) {
    const mod = await import(module);
    if (typeof mod[exportName] !== 'function') {
      throw new DatasetsError(
        `export ${exportName} of ${module} is not a function; pass the name of the tokenizer factory`,
      );
    }
    return openBatchTokenizer({
      ...options,
      tokenizer: await mod[exportName](...(source.args ?? [])),
      workers: 0,
    });
  }
  const setup = options.workerSetup;
  return openPool({
    workers,
    execArgv: options.workerExecArgv,
    data: {
      factory: { module, exportName, args: source.args ?? [] },
      separatorName,
      setup: setup && {
        module: toUrl(setup.module),
        exportName: setup.exportName ?? 'default',
        args: setup.args ?? [],
      },
    },
  });
}

function toUrl(module: string): string {
  return module.startsWith('file:') ? module : pathToFileURL(module).href;
}

async function openPool(options: {
  workers: number;
  execArgv: string[] | undefined;
  data: TokenizeWorkerData;
}): Promise<BatchTokenizer> {
  const pool = createWorkerPool({
    module: workerModule(import.meta.url, './tokenize-worker'),
    threads: options.workers,
    workerData: options.data,
    execArgv: options.execArgv,
  });
  const failed = (error: unknown) =>
    new DatasetsError(`tokenizer worker failed: ${(error as Error)?.message ?? error}`, {
      cause: error,
    });
  let vocabSize: number;
  try {
    vocabSize = await pool.run<number>('vocabSize', {});
  } catch (error) {
    await pool.close();
    throw failed(error);
  }
  return {
    vocabSize,
    async tokenize(texts) {
      try {
        return await pool.run<TokenizedBatch>('tokenize', { texts });
      } catch (error) {
        throw failed(error);
      }
    },
    close: () => pool.close(),
  };
}
