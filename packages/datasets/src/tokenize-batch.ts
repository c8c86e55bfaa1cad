// Tokenizes batches of document texts, in this thread or over a pool of worker threads, returning
// results in submission order. Each document becomes `<|endoftext|>` followed by its ordinary tokens
// (fineweb.py's layout); text spelling `<|endoftext|>` stays ordinary, so it never splits a document.

import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DatasetsError } from './errors.ts';
import { isTokenizerLike, type TokenizerFactory, type TokenizerLike } from './tokenizer.ts';

export interface TokenizedBatch {
  /** All documents' tokens, each led by the separator. */
  tokens: Uint32Array;
  /** Tokens per document (separator included). */
  lengths: Uint32Array;
}

export interface BatchTokenizer {
  readonly vocabSize: number;
  tokenize(texts: string[]): Promise<TokenizedBatch>;
  close(): Promise<void>;
}

/** Shared by the in-thread path and (as source text) the worker. */
function tokenizeTexts(
  tokenizer: TokenizerLike,
  separator: number,
  texts: string[],
): TokenizedBatch {
  const parts = texts.map((text) => tokenizer.encodeOrdinary(text));
  const lengths = new Uint32Array(parts.map((p) => p.length + 1));
  const tokens = new Uint32Array(lengths.reduce((a, b) => a + b, 0));
  let at = 0;
  for (const part of parts) {
    tokens[at++] = separator;
    tokens.set(part, at);
    at += part.length;
  }
  return { tokens, lengths };
}

const WORKER_SOURCE = `
(async () => {
  const { parentPort, workerData } = await import('node:worker_threads');
  try {
    if (workerData.setup) {
      const setup = await import(workerData.setup.module);
      await setup[workerData.setup.exportName](...workerData.setup.args);
    }
    const mod = await import(workerData.module);
    const factory = mod[workerData.exportName];
    if (typeof factory !== 'function') {
      throw new Error('export ' + workerData.exportName + ' of ' + workerData.module + ' is not a function');
    }
    const tokenizer = await factory(...workerData.args);
    const separator = tokenizer.specialTokenId(workerData.separatorName);
    if (separator === undefined) throw new Error('the tokenizer has no special token ' + workerData.separatorName);
    const tokenizeTexts = ${tokenizeTexts.toString()};
    parentPort.postMessage({ type: 'ready', vocabSize: tokenizer.vocabSize });
    parentPort.on('message', ({ seq, texts }) => {
      try {
        const out = tokenizeTexts(tokenizer, separator, texts);
        parentPort.postMessage({ type: 'done', seq, ...out }, [out.tokens.buffer, out.lengths.buffer]);
      } catch (error) {
        parentPort.postMessage({ type: 'error', seq, message: String(error && error.message || error) });
      }
    });
  } catch (error) {
    parentPort.postMessage({ type: 'error', message: String(error && error.message || error) });
  }
})();
`;

export interface BatchTokenizerOptions {
  tokenizer: TokenizerLike | TokenizerFactory;
  /** Worker threads; 0 tokenizes in this thread (default 0 for an object, 1 for a factory). */
  workers?: number;
  separator?: string;
  /** Node flags for the workers (default: this process's). */
  workerExecArgv?: string[];
  /**
   * Called in each worker before the tokenizer factory, e.g. to register a TypeScript loader when
   * the factory's module is a `.ts` source: `{ module: <path of tsx/esm/api>, exportName: 'register' }`
   * (Node 20 does not carry `--import` loaders into worker threads).
   */
  workerSetup?: TokenizerFactory;
}

export async function openBatchTokenizer(options: BatchTokenizerOptions): Promise<BatchTokenizer> {
  const separatorName = options.separator ?? '<|endoftext|>';
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
  return openPool({
    module,
    exportName,
    args: source.args ?? [],
    separatorName,
    workers,
    execArgv: options.workerExecArgv,
    setup: options.workerSetup && {
      module: toUrl(options.workerSetup.module),
      exportName: options.workerSetup.exportName ?? 'default',
      args: options.workerSetup.args ?? [],
    },
  });
}

function toUrl(module: string): string {
  return module.startsWith('file:') ? module : pathToFileURL(module).href;
}

interface PoolOptions {
  module: string;
  exportName: string;
  args: unknown[];
  separatorName: string;
  workers: number;
  execArgv: string[] | undefined;
  setup: { module: string; exportName: string; args: unknown[] } | undefined;
}

async function openPool(options: PoolOptions): Promise<BatchTokenizer> {
  const { workers: count, execArgv, ...workerData } = options;
  const threads: Worker[] = [];
  const idle: Worker[] = [];
  const queue: { seq: number; texts: string[] }[] = [];
  const pending = new Map<
    number,
    { resolve: (b: TokenizedBatch) => void; reject: (e: Error) => void }
  >();
  let failure: Error | undefined;
  let nextSeq = 0;
  const fail = (error: Error) => {
    failure ??= error;
    for (const entry of pending.values()) entry.reject(failure);
    pending.clear();
  };
  const pump = () => {
    while (idle.length > 0 && queue.length > 0) {
      const job = queue.shift()!;
      idle.pop()!.postMessage(job);
    }
  };
  const ready = Array.from({ length: count }, () => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData,
      ...(execArgv ? { execArgv } : {}),
    });
    threads.push(worker);
    return new Promise<number>((resolve, reject) => {
      worker.on('message', (message) => {
        if (message.type === 'ready') {
          idle.push(worker);
          resolve(message.vocabSize);
          pump();
        } else if (message.type === 'done') {
          pending.get(message.seq)?.resolve({ tokens: message.tokens, lengths: message.lengths });
          pending.delete(message.seq);
          idle.push(worker);
          pump();
        } else {
          const error = new DatasetsError(`tokenizer worker failed: ${message.message}`);
          reject(error);
          fail(error);
        }
      });
      worker.on('error', (error) => {
        const wrapped = new DatasetsError(`tokenizer worker crashed: ${error.message}`);
        reject(wrapped);
        fail(wrapped);
      });
    });
  });
  let vocabSizes: number[];
  try {
    vocabSizes = await Promise.all(ready);
  } catch (error) {
    await Promise.all(threads.map((t) => t.terminate()));
    throw error;
  }
  return {
    vocabSize: vocabSizes[0],
    tokenize(texts) {
      if (failure) return Promise.reject(failure);
      const seq = nextSeq++;
      return new Promise((resolve, reject) => {
        pending.set(seq, { resolve, reject });
        queue.push({ seq, texts });
        pump();
      });
    },
    async close() {
      await Promise.all(threads.map((t) => t.terminate()));
    },
  };
}
