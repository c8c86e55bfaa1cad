// Documents → llm.c token shards: `<|endoftext|>` before each document, shards filled to exactly
// `tokensPerShard` (a document may continue in the next shard), the first shard named `val`, the
// rest `train`. A progress file written after each finished shard makes a rerun resume exactly.

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Document } from '@lmkit/core';
import { DatasetsError } from './errors.ts';
import type { ShardVersion } from './shard-file.ts';
import { SHARD_VERSION_UINT16, SHARD_VERSION_UINT32 } from './shard-header.ts';
import { openShardWriter, type ShardWriter } from './shard-writer.ts';
import { openBatchTokenizer, type TokenizedBatch } from './tokenize-batch.ts';
import type { TokenizerFactory, TokenizerLike } from './tokenizer.ts';

export interface TokenizeToShardsOptions {
  /** The documents, in a fixed order; on resume pass the same sequence again from its start. */
  documents: Iterable<Pick<Document, 'text'>> | AsyncIterable<Pick<Document, 'text'>>;
  /** A tokenizer object (this thread only) or a factory each worker loads (see TokenizerFactory). */
  tokenizer: TokenizerLike | TokenizerFactory;
  outDir: string;
  /** Tokens per shard (the last may be shorter); e.g. 100_000_000 for FineWeb-sized shards. */
  tokensPerShard: number;
  /** Worker threads; 0 = this thread. Default 0 for a tokenizer object, 1 for a factory. */
  workers?: number;
  /** File name prefix: `<prefix>_val_000000.bin`, `<prefix>_train_000001.bin`, ...; default 'shard'. */
  prefix?: string;
  /** 1 (uint16) or 2 (uint32); default by vocabulary size (2 above 65,536 ids). */
  version?: ShardVersion;
  /** Documents per unit of work sent to a worker; default 64. */
  documentsPerBatch?: number;
  /** Node flags for the workers (default: inherited). */
  workerExecArgv?: string[];
  /** Called in each worker before the tokenizer factory (see BatchTokenizerOptions.workerSetup). */
  workerSetup?: TokenizerFactory;
  /** Called after each finished shard. */
  onShard?: (info: ShardInfo) => void;
}

/** Reported after each finished shard. */
export interface ShardInfo {
  path: string;
  /** Tokens in this shard. */
  tokens: number;
  /** Documents that finished in this shard (a document continuing into the next one counts there). */
  documents: number;
  /** Documents finished so far, across resumed runs. */
  totalDocuments: number;
}

export interface TokenizeToShardsResult {
  shards: string[];
  /** Documents tokenized in total (across resumed runs). */
  documents: number;
  tokens: number;
  /** Documents skipped because an earlier run had already written them. */
  resumedDocuments: number;
}

/** Where a run stands after its last finished shard (the progress file's content). */
interface Progress {
  version: 1;
  prefix: string;
  tokensPerShard: number;
  shardVersion: ShardVersion;
  shards: string[];
  /** Documents whose tokens all sit in finished shards. */
  documents: number;
  /** Tokens of the next document already in finished shards (it continues in the next shard). */
  offsetInDocument: number;
  tokens: number;
  complete: boolean;
}

export function shardName(prefix: string, index: number): string {
  return `${prefix}_${index === 0 ? 'val' : 'train'}_${String(index).padStart(6, '0')}.bin`;
}

export async function tokenizeToShards(
  options: TokenizeToShardsOptions,
): Promise<TokenizeToShardsResult> {
  const prefix = options.prefix ?? 'shard';
  const perShard = options.tokensPerShard;
  if (!Number.isInteger(perShard) || perShard < 1 || perShard > 0x7fffffff) {
    throw new DatasetsError(
      `tokensPerShard ${perShard} must be an integer from 1 to 2,147,483,647`,
    );
  }
  const perBatch = options.documentsPerBatch ?? 64;
  await mkdir(options.outDir, { recursive: true });
  const progressPath = join(options.outDir, `${prefix}_progress.json`);
  const previous = await readProgress(progressPath);
  if (previous?.complete) {
    return {
      shards: previous.shards.map((s) => join(options.outDir, s)),
      documents: previous.documents,
      tokens: previous.tokens,
      resumedDocuments: previous.documents,
    };
  }
  const tokenizer = await openBatchTokenizer({
    tokenizer: options.tokenizer,
    workers: options.workers,
    workerExecArgv: options.workerExecArgv,
    workerSetup: options.workerSetup,
  });
  let writer: ShardWriter | undefined;
  try {
    const shardVersion =
      options.version ??
      (tokenizer.vocabSize > 65536 ? SHARD_VERSION_UINT32 : SHARD_VERSION_UINT16);
    if (
      previous &&
      (previous.tokensPerShard !== perShard || previous.shardVersion !== shardVersion)
    ) {
      throw new DatasetsError(
        `${progressPath} records tokensPerShard ${previous.tokensPerShard} and version ${previous.shardVersion}, this run asks for ${perShard} and ${shardVersion}; resume with the same settings or use a new outDir`,
      );
    }
    const state: Progress = previous ?? {
      version: 1,
      prefix,
      tokensPerShard: perShard,
      shardVersion,
      shards: [],
      documents: 0,
      offsetInDocument: 0,
      tokens: 0,
      complete: false,
    };
    const resumedDocuments = state.documents;
    let skipTokens = state.offsetInDocument; // of the first document tokenized in this run
    let documentIndex = state.documents; // next document whose tokens are appended
    let documentOffset = state.offsetInDocument; // its tokens already written
    const finishShard = async () => {
      if (!writer) return;
      const tokens = await writer.close();
      const path = writer.path;
      writer = undefined;
      const finishedBefore = state.documents;
      state.shards.push(shardName(prefix, state.shards.length));
      state.tokens += tokens;
      state.documents = documentIndex;
      state.offsetInDocument = documentOffset;
      await writeProgress(progressPath, state);
      options.onShard?.({
        path,
        tokens,
        documents: documentIndex - finishedBefore,
        totalDocuments: documentIndex,
      });
    };
    const append = async (batch: TokenizedBatch) => {
      let at = 0;
      for (const length of batch.lengths) {
        let start = at + skipTokens;
        documentOffset = skipTokens;
        skipTokens = 0;
        const end = at + length;
        while (start < end) {
          writer ??= await openShardWriter({
            path: join(options.outDir, shardName(prefix, state.shards.length)),
            version: shardVersion,
          });
          const take = Math.min(end - start, perShard - writer.tokenCount);
          await writer.append(batch.tokens.subarray(start, start + take));
          start += take;
          documentOffset += take;
          if (start === end) {
            documentIndex++;
            documentOffset = 0;
          }
          if (writer.tokenCount === perShard) await finishShard();
        }
        at = end;
      }
    };
    // Read ahead up to two batches per worker; append results strictly in order.
    const inFlight: Promise<TokenizedBatch>[] = [];
    const submit = (batch: string[]) => {
      const promise = tokenizer.tokenize(batch);
      promise.catch(() => {}); // awaited in order below; this only silences the early rejection
      inFlight.push(promise);
    };
    const maxInFlight = Math.max(2, 2 * (options.workers ?? 1));
    let seen = 0;
    let texts: string[] = [];
    for await (const document of options.documents) {
      if (seen++ < resumedDocuments) continue;
      if (typeof document?.text !== 'string') {
        throw new DatasetsError(
          `document ${seen - 1} has text ${typeof document?.text}; every document needs a string text`,
        );
      }
      texts.push(document.text);
      if (texts.length < perBatch) continue;
      submit(texts);
      texts = [];
      if (inFlight.length >= maxInFlight) await append(await inFlight.shift()!);
    }
    if (texts.length > 0) submit(texts);
    while (inFlight.length > 0) await append(await inFlight.shift()!);
    if (seen < resumedDocuments) {
      throw new DatasetsError(
        `${progressPath} says ${resumedDocuments} documents were written, but documents has only ${seen}; pass the same documents as the interrupted run`,
      );
    }
    await finishShard();
    state.complete = true;
    await writeProgress(progressPath, state);
    return {
      shards: state.shards.map((s) => join(options.outDir, s)),
      documents: state.documents,
      tokens: state.tokens,
      resumedDocuments,
    };
  } finally {
    await writer?.abort();
    await tokenizer.close();
  }
}

async function readProgress(path: string): Promise<Progress | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  let progress: Progress;
  try {
    progress = JSON.parse(text) as Progress;
  } catch (error) {
    throw new DatasetsError(
      `${path} is not JSON (${(error as Error).message}); delete it and the shards beside it to start over`,
    );
  }
  if (progress?.version !== 1) {
    throw new DatasetsError(
      `${path} has version ${progress.version}; expected 1 (delete it to start over)`,
    );
  }
  return progress;
}

async function writeProgress(path: string, progress: Progress): Promise<void> {
  await writeFile(`${path}.tmp`, `${JSON.stringify(progress, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
}
