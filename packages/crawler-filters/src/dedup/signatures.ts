// Dedup stage 1: MinHash signatures of one task's documents, written per bucket as sorted runs
// (at most `maxDocumentsInMemory` documents per run), plus the task's document ids in order.
// Texts without words get no signature: they are never anyone's duplicate.

import { appendFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Document } from '../document.ts';
import { CrawlerFiltersError } from '../errors.ts';
import { defineStage, type Stage } from '../stage.ts';
import { dedupLayout, recordMinHashConfig } from './layout.ts';
import {
  defaultMinHashConfig,
  isEmptySignature,
  type MinHashConfig,
  MinHasher,
} from './minhash.ts';
import { writeRecordFile } from './record-file.ts';

export interface SignatureStageOptions {
  /** Work directory shared by all tasks and stages of the dedup run. */
  workDir: string;
  /** This task's index (documents are keyed by task and position). Default 0. */
  taskIndex?: number;
  /** MinHash settings; defaults are FineWeb's (5-grams, 14 × 8, seed 1). */
  minhash?: Partial<MinHashConfig>;
  /** Documents whose signatures are held before a sorted run is written. Default 100,000 (≈ 60 MB). */
  maxDocumentsInMemory?: number;
}

export interface SignatureTaskSummary {
  taskIndex: number;
  documents: number;
  /** Documents with at least one word (the others get no signature). */
  signed: number;
  runs: number;
}

/** Collects signatures and writes sorted runs; `add` each document, then `finish`. */
export class SignatureWriter {
  private documents = 0;
  private signed = 0;
  private runs = 0;
  private inMemory = 0;
  private signatures: Uint32Array;
  private indices: Uint32Array;
  private ids: string[] = [];

  private constructor(
    private readonly hasher: MinHasher,
    private readonly workDir: string,
    private readonly taskIndex: number,
    private readonly maxDocumentsInMemory: number,
  ) {
    const initial = Math.min(maxDocumentsInMemory, 1024);
    this.signatures = new Uint32Array(initial * hasher.hashCount);
    this.indices = new Uint32Array(initial);
  }

  /** Prepares the work directory, removing this task's files from any earlier attempt. */
  static async open(options: SignatureStageOptions): Promise<SignatureWriter> {
    const taskIndex = options.taskIndex ?? 0;
    const maxDocuments = options.maxDocumentsInMemory ?? 100_000;
    if (!Number.isInteger(taskIndex) || taskIndex < 0 || taskIndex >= 2 ** 20) {
      throw new CrawlerFiltersError(
        'invalid-task-index',
        `task index ${taskIndex} is not an integer in 0..${2 ** 20 - 1}; pass the task's position in its array`,
      );
    }
    if (!Number.isInteger(maxDocuments) || maxDocuments < 1) {
      throw new CrawlerFiltersError(
        'invalid-option',
        `maxDocumentsInMemory ${maxDocuments} is not a positive integer; pass e.g. 100000`,
      );
    }
    const hasher = new MinHasher({ ...defaultMinHashConfig, ...options.minhash });
    const { workDir } = options;
    await recordMinHashConfig(workDir, hasher.config);
    const prefix = `task-${String(taskIndex).padStart(5, '0')}-`;
    for (let bucket = 0; bucket < hasher.config.buckets; bucket++) {
      const dir = dedupLayout.bucketDir(workDir, bucket);
      await mkdir(dir, { recursive: true });
      for (const name of await readdir(dir)) {
        if (name.startsWith(prefix)) await rm(`${dir}/${name}`, { force: true });
      }
    }
    for (const path of [
      dedupLayout.idsFile(workDir, taskIndex),
      dedupLayout.taskSummary(workDir, taskIndex),
    ]) {
      await mkdir(dirname(path), { recursive: true });
      await rm(path, { force: true });
    }
    await writeFile(dedupLayout.idsFile(workDir, taskIndex), '');
    return new SignatureWriter(hasher, workDir, taskIndex, maxDocuments);
  }

  async add(doc: Document): Promise<void> {
    const index = this.documents++;
    this.ids.push(JSON.stringify(doc.id));
    const signature = this.hasher.signature(doc.text);
    if (isEmptySignature(signature)) {
      if (this.ids.length >= this.maxDocumentsInMemory) await this.flush();
      return;
    }
    this.signed++;
    if (this.inMemory === this.indices.length) this.grow();
    this.signatures.set(signature, this.inMemory * this.hasher.hashCount);
    this.indices[this.inMemory++] = index;
    if (this.inMemory >= this.maxDocumentsInMemory) await this.flush();
  }

  /** Writes what is held, the task summary, and returns it. */
  async finish(): Promise<SignatureTaskSummary> {
    await this.flush();
    const summary: SignatureTaskSummary = {
      taskIndex: this.taskIndex,
      documents: this.documents,
      signed: this.signed,
      runs: this.runs,
    };
    await writeFile(
      dedupLayout.taskSummary(this.workDir, this.taskIndex),
      `${JSON.stringify(summary)}\n`,
    );
    return summary;
  }

  private grow(): void {
    const capacity = Math.min(this.indices.length * 2, this.maxDocumentsInMemory);
    const signatures = new Uint32Array(capacity * this.hasher.hashCount);
    signatures.set(this.signatures);
    const indices = new Uint32Array(capacity);
    indices.set(this.indices);
    this.signatures = signatures;
    this.indices = indices;
  }

  /** One sorted run per bucket: records (bucket's hashes..., task, index), sorted lexicographically. */
  private async flush(): Promise<void> {
    if (this.ids.length > 0) {
      await appendFile(
        dedupLayout.idsFile(this.workDir, this.taskIndex),
        `${this.ids.join('\n')}\n`,
      );
      this.ids = [];
    }
    const count = this.inMemory;
    if (count === 0) return;
    const { buckets, hashesPerBucket } = this.hasher.config;
    const k = this.hasher.hashCount;
    const width = hashesPerBucket + 2;
    const records = new Uint32Array(count * width);
    const order = new Uint32Array(count);
    for (let bucket = 0; bucket < buckets; bucket++) {
      const offset = bucket * hashesPerBucket;
      for (let i = 0; i < count; i++) order[i] = i;
      order.sort((a, b) => {
        for (let h = 0; h < hashesPerBucket; h++) {
          const x = this.signatures[a * k + offset + h];
          const y = this.signatures[b * k + offset + h];
          if (x !== y) return x < y ? -1 : 1;
        }
        return this.indices[a] - this.indices[b];
      });
      for (let i = 0; i < count; i++) {
        const slot = order[i];
        const base = i * width;
        for (let h = 0; h < hashesPerBucket; h++)
          records[base + h] = this.signatures[slot * k + offset + h];
        records[base + hashesPerBucket] = this.taskIndex;
        records[base + hashesPerBucket + 1] = this.indices[slot];
      }
      const path = dedupLayout.signatureRun(this.workDir, bucket, this.taskIndex, this.runs);
      await writeRecordFile({ path, magic: 'SIGS', width, records, count });
    }
    this.runs++;
    this.inMemory = 0;
  }
}

/**
 * A pass-through stage that computes every document's signature and writes the task's sorted
 * runs when its input ends. Run the same documents, in the same order, through
 * `minhashDedupStage` after the bucket and cluster stages.
 */
export function minhashSignatureStage(options: SignatureStageOptions): Stage {
  return defineStage('minhash-signatures', async function* (docs) {
    const writer = await SignatureWriter.open(options);
    for await (const doc of docs) {
      await writer.add(doc);
      yield doc;
    }
    await writer.finish();
  });
}
