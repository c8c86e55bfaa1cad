// `lmkit-fineweb run`: reads WARC/JSONL/Parquet inputs, runs the chosen FineWeb stages, writes
// JSONL or Parquet shards plus stats.json, and prints the kept/dropped table (or JSON).

import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  createStages,
  documentSource,
  fineWebStageRegistry,
  formatStatsTable,
  type RemovedDocument,
  removedDocumentsWriter,
  type StageFactory,
  writeDocuments,
} from '@lmkit/crawler-filters';
import {
  dedupRunArgs,
  dedupRunUsage,
  dedupStageNames,
  filterStageNames,
  planTask,
  runFineWeb,
} from './dedup-run.ts';
import { expandInputs } from './expand-inputs.ts';
import { progressReporter } from './progress.ts';

export const runUsage = `lmkit-fineweb run --input PATTERN [--input PATTERN ...] --output DIR [options]

  --input, -i PATTERN    WARC/WET (.warc, .warc.gz, .wet.gz), JSONL (.jsonl, .gz, .zst) or .parquet;
                         * and ? match in the file name (quote the pattern)
  --output, -o DIR       where shards, stats.json and removed.jsonl go
  --stages LIST          comma-separated stage names (default: all, in FineWeb order):
                         ${Object.keys(fineWebStageRegistry).join(',')}
  --format FORMAT        jsonl (default), jsonl.gz or parquet
  --shard-size N         documents per shard (default 100000)
  --languages LIST       ISO 639-3 codes to keep (default eng); "any" keeps every language
  --min-language-score X minimum language score (default 0.1)
  --url-lists DIR        folder with domains.txt, urls.txt, banned-words.txt, soft-words.txt, banned-subwords.txt
  --ut1 DIR              an unpacked UT1 blacklist, added to the URL lists
  --max-record-bytes N   larger records are counted as errors (default 10485760)
  --removed              also write removed.jsonl: every dropped or errored document with its reason
  --json                 print the stats as JSON instead of a table
  --quiet                no progress line
${dedupRunUsage}`;

export interface RunCommandOptions {
  argv: string[];
  cwd: string;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WriteStream;
  /** Extra stages by name (part 2 adds dedup and PII here). */
  registry?: Readonly<Record<string, StageFactory>>;
}

export async function runCommand(options: RunCommandOptions): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const { values } = parseArgs({
    args: options.argv,
    allowPositionals: false,
    options: {
      input: { type: 'string', short: 'i', multiple: true },
      output: { type: 'string', short: 'o' },
      stages: { type: 'string' },
      format: { type: 'string', default: 'jsonl' },
      'shard-size': { type: 'string', default: '100000' },
      languages: { type: 'string', default: 'eng' },
      'min-language-score': { type: 'string' },
      'url-lists': { type: 'string' },
      ut1: { type: 'string' },
      'max-record-bytes': { type: 'string' },
      removed: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      ...dedupRunArgs,
    },
  });
  if (values.help) {
    stdout.write(`${runUsage}\n`);
    return 0;
  }
  if (!values.input?.length || !values.output)
    throw new Error(`--input and --output are required\n\n${runUsage}`);
  const format = values.format as 'jsonl' | 'jsonl.gz' | 'parquet';
  if (!['jsonl', 'jsonl.gz', 'parquet'].includes(format))
    throw new Error(`--format "${values.format}" is not one of jsonl, jsonl.gz, parquet`);
  const paths = expandInputs(values.input, options.cwd);
  const output = resolve(options.cwd, values.output);
  await mkdir(output, { recursive: true });
  const registry = { ...fineWebStageRegistry, ...options.registry };
  const names = values.stages
    ? values.stages
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [...Object.keys(registry), ...dedupStageNames];
  const languageOptions: Record<string, unknown> = {};
  if (values.languages !== undefined)
    languageOptions.keep = values.languages === 'any' ? undefined : values.languages.split(',');
  if (values['min-language-score'] !== undefined)
    languageOptions.minScore = Number(values['min-language-score']);
  const stages = await createStages({
    names: filterStageNames(names),
    registry,
    options: {
      language: languageOptions,
      url: {
        listsDir: values['url-lists'] && resolve(options.cwd, values['url-lists']),
        ut1Root: values.ut1 && resolve(options.cwd, values.ut1),
      },
    },
  });
  const plan = planTask({ values, names, paths, output, cwd: options.cwd });
  const writer = writeDocuments({
    dir: output,
    prefix: plan.prefix,
    format,
    maxDocumentsPerShard: Number(values['shard-size']),
  });
  const removed = values.removed
    ? removedDocumentsWriter({ path: join(output, 'removed.jsonl') })
    : undefined;
  const progress = values.quiet ? undefined : progressReporter({ stream: options.stderr });
  const maxRecordBytes = values['max-record-bytes']
    ? Number(values['max-record-bytes'])
    : undefined;
  const { stats, pendingDedup } = await runFineWeb({
    plan,
    source: documentSource({ paths: plan.paths, maxRecordBytes }),
    stages,
    sink: writer.sink,
    onRemoved: removed ? (r: RemovedDocument) => removed.onRemoved(r) : undefined,
    onProgress: progress ? (p) => progress.update(p) : undefined,
    progressEvery: 50,
  });
  await removed?.close();
  progress?.finish();
  const report = { inputs: paths, stageNames: names, output: writer.files, ...stats };
  await writeFile(join(output, plan.statsFile), `${JSON.stringify(report, null, 2)}\n`);
  if (values.json) stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    const docsPerSecond = stats.read / Math.max(stats.durationMs / 1000, 1e-9);
    stdout.write(
      `${formatStatsTable(stats)}\n\n${stats.read} read = ${stats.kept} kept + ${stats.dropped} dropped + ${stats.errored} errored; ${docsPerSecond.toFixed(1)} docs/s; ${writer.files.length} shard(s) in ${output}\n${pendingDedup ? `task ${plan.taskIndex} of ${plan.taskCount} filtered and signed into ${plan.workDir}; next: dedup buckets, clusters, filter\n` : ''}`,
    );
  }
  return 0;
}
