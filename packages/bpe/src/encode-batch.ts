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

/** Encodes each text (like `tokenizer.encode`) across worker threads; ids in input order. */
export async function encodeBatch(options: EncodeBatchOptions): Promise<number[][]> {
  const { tokenizer, texts } = options;
  const threads = Math.min(options.threads ?? availableParallelism(), texts.length);
  if (texts.length === 0) return [];
  if (!Number.isInteger(threads) || threads < 1) {
    throw new BpeError(`threads ${options.threads} is not a positive integer; pass 1 or more`);
  }
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
  const results: number[][] = new Array(texts.length);
  let next = 0;
  const workers: Worker[] = [];
  try {
    await Promise.all(
      Array.from({ length: threads }, () => {
        const worker = startWorker(data);
        workers.push(worker);
        return new Promise<void>((resolve, reject) => {
          const feed = () => {
            if (next >= texts.length) {
              resolve();
              return;
            }
            const index = next++;
            worker.postMessage({ index, text: texts[index] });
          };
          worker.on('message', (reply: { index: number; ids?: Int32Array; error?: string }) => {
            if (reply.error !== undefined) {
              reject(new BpeError(`text ${reply.index}: ${reply.error}`));
              return;
            }
            results[reply.index] = Array.from(reply.ids!);
            feed();
          });
          worker.on('error', reject);
          worker.on('exit', (code) => {
            if (code !== 0) reject(new BpeError(`encode worker exited with code ${code}`));
          });
          feed();
        });
      }),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
