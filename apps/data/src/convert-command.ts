// `lmkit-data convert` and `lmkit-data pairs`: a dataset file in a layout users bring → our chat
// JSONL (`{ id?, messages }`), or oasst1 / preference rows → `{ prompt, chosen, rejected }` JSONL
// split into train and validation by tree. Files are written under a temporary name and renamed
// when complete, so a killed run never leaves a half file under the final name.

import { open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type ConversationLayout,
  convertOasst,
  convertRows,
  type LoadReport,
  newLoadReport,
  readPreferenceSplit,
} from '@lmkit/datasets';

export interface ConvertFileOptions {
  input: string;
  output: string;
  from: ConversationLayout | 'oasst';
  /** oasst: keep only these languages. */
  languages?: readonly string[];
  /** oasst: 'best' path per tree (default) or 'all' root-to-leaf threads. */
  paths?: 'best' | 'all';
  includeSynthetic?: boolean;
  splitThink?: boolean;
  /** Stop at the first bad row instead of counting it; default false. */
  strict?: boolean;
}

/** Converts one file; returns what was read, written and left out (by reason). */
export async function convertFile(options: ConvertFileOptions): Promise<LoadReport> {
  const report = newLoadReport();
  const common = { path: options.input, skipInvalid: !options.strict, report };
  const conversations =
    options.from === 'oasst'
      ? convertOasst({
          ...common,
          languages: options.languages,
          paths: options.paths,
          includeSynthetic: options.includeSynthetic,
        })
      : convertRows({ ...common, from: options.from, splitThink: options.splitThink });
  await writeJsonl(options.output, conversations);
  return report;
}

export interface PairsFileOptions {
  input: string;
  /** Folder for train.jsonl and validation.jsonl. */
  outputDir: string;
  /** 'oasst' (ranked siblings) or 'pairs' (rows already `{ prompt, chosen, rejected }`). */
  from: 'oasst' | 'pairs';
  validationFraction: number;
  languages?: readonly string[];
  includeSynthetic?: boolean;
  pairs?: 'all' | 'best-worst';
  strict?: boolean;
}

export async function pairsFile(
  options: PairsFileOptions,
): Promise<LoadReport & { train: number; validation: number }> {
  const report = newLoadReport();
  const split = await readPreferenceSplit({
    path: options.input,
    skipInvalid: !options.strict,
    report,
    from: options.from,
    validationFraction: options.validationFraction,
    languages: options.languages,
    includeSynthetic: options.includeSynthetic,
    pairs: options.pairs,
  });
  await writeJsonl(join(options.outputDir, 'train.jsonl'), split.train);
  await writeJsonl(join(options.outputDir, 'validation.jsonl'), split.validation);
  return { ...report, train: split.train.length, validation: split.validation.length };
}

async function writeJsonl(path: string, rows: Iterable<object> | AsyncIterable<object>) {
  const temporary = `${path}.partial-${process.pid}`;
  const file = await open(temporary, 'w');
  try {
    let pending = '';
    for await (const row of rows) {
      pending += `${JSON.stringify(row)}\n`;
      if (pending.length >= 1 << 20) {
        await file.write(pending);
        pending = '';
      }
    }
    await file.write(pending);
    await file.close();
    await rename(temporary, path);
  } catch (error) {
    await file.close().catch(() => {});
    await rm(temporary, { force: true });
    throw error;
  }
}
