// `lmkit-fineweb run`: reads WARC/JSONL/Parquet inputs, runs the chosen FineWeb stages, writes
// JSONL or Parquet shards plus stats.json, and prints the kept/dropped table (or JSON).

import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { checkOutputFolder, parseKebabFlags, UsageError } from '@lmkit/cli-kit';
import {
  createStages,
  documentSource,
  fineWebStageRegistry,
  formatStatsTable,
  type ReadSkip,
  type RemovedDocument,
  type RunStats,
  removedDocumentsWriter,
  type Source,
  type StageFactory,
  writeDocuments,
} from '@lmkit/crawler-filters';
import { runFlags } from './args.ts';
import {
  dedupRunUsage,
  dedupStageNames,
  filterStageNames,
  planTask,
  runFineWeb,
  type TaskPlan,
} from './dedup-run.ts';
import { expandInputs } from './expand-inputs.ts';
import { progressReporter } from './progress.ts';
import {
  nameList,
  publishShards,
  refuseInputsInsideOutput,
  removeEarlierOutputs,
  stagingDir,
} from './run-output.ts';
import { gpt2TokenCounter } from './token-count.ts';

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
  --invalid-bytes MODE   bytes invalid in a page's charset: reject (default; the page counts as
                         invalid-encoding) or replace (decoded as U+FFFD, the page is kept)
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
  /**
   * Stops reading inputs when aborted: the documents read so far are finished and written, and
   * stats.json says `"complete": false`. Default: aborted by the first SIGINT or SIGTERM.
   */
  signal?: AbortSignal;
}

/** What the readers skipped to resynchronise, per input file and reason: `{ count, bytes }`. */
function skipCounter() {
  const byFile: Record<string, Record<string, { count: number; bytes: number }>> = {};
  return {
    byFile,
    add(skip: ReadSkip) {
      byFile[skip.file] ??= {};
      const entry = byFile[skip.file][skip.reason] ?? { count: 0, bytes: 0 };
      byFile[skip.file][skip.reason] = {
        count: entry.count + 1,
        bytes: entry.bytes + skip.bytes,
      };
    },
  };
}

/** Aborts on the first SIGINT or SIGTERM (a second one ends the process as usual). */
function interruptSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = () => {
    dispose();
    controller.abort();
  };
  const dispose = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return { signal: controller.signal, dispose };
}

/** The source, ending early (and saying so) once `signal` is aborted. */
function untilAborted(source: Source, signal: AbortSignal, onCut: () => void): Source {
  return async function* (context) {
    const docs = typeof source === 'function' ? source(context) : source;
    for await (const doc of docs) {
      if (signal.aborted) {
        onCut();
        return;
      }
      yield doc;
    }
  };
}

export async function runCommand(options: RunCommandOptions): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const { values } = parseKebabFlags(runFlags, options.argv);
  if (values.help) {
    stdout.write(`${runUsage}\n`);
    return 0;
  }
  if (!values.input.length || !values.output) {
    throw new UsageError(
      '--input and --output are required: lmkit-fineweb run --input PATTERN --output DIR',
    );
  }
  const format = values.format;
  checkOutputFolder('--output', resolve(options.cwd, values.output));
  const paths = expandInputs(values.input, options.cwd);
  const output = resolve(options.cwd, values.output);
  refuseInputsInsideOutput(paths, output);
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
    languageOptions.minScore = values['min-language-score'];
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
  const earlier = removeEarlierOutputs({
    output,
    prefix: plan.prefix,
    statsFile: plan.statsFile,
    extraFiles: plan.taskCount === 1 ? ['removed.jsonl'] : [],
  });
  if (earlier.length > 0) {
    (options.stderr ?? process.stderr).write(
      `removed ${earlier.length} file(s) an earlier run left in ${output}: ${nameList(earlier)}\n`,
    );
  }
  await mkdir(output, { recursive: true });
  const writer = writeDocuments({
    dir: stagingDir(output, plan.prefix),
    prefix: plan.prefix,
    format,
    maxDocumentsPerShard: values['shard-size'],
  });
  const removed = values.removed
    ? removedDocumentsWriter({ path: join(output, 'removed.jsonl') })
    : undefined;
  const progress = values.quiet ? undefined : progressReporter({ stream: options.stderr });
  const maxRecordBytes = values['max-record-bytes'];
  const invalidBytes = values['invalid-bytes'] === 'replace' ? 'replace' : 'error';
  const interrupt = options.signal ? undefined : interruptSignal();
  const signal = options.signal ?? interrupt!.signal;
  let complete = true;
  const skipped = skipCounter();
  try {
    const { stats, pendingDedup } = await runFineWeb({
      plan,
      source: untilAborted(
        documentSource({ paths: plan.paths, maxRecordBytes, invalidBytes, onSkip: skipped.add }),
        signal,
        () => {
          complete = false;
        },
      ),
      stages,
      sink: writer.sink,
      onRemoved: removed ? (r: RemovedDocument) => removed.onRemoved(r) : undefined,
      onProgress: progress ? (p) => progress.update(p) : undefined,
      countTokens: gpt2TokenCounter(),
      progressEvery: 50,
    });
    await removed?.close();
    progress?.finish();
    const shards = publishShards({ output, prefix: plan.prefix, files: writer.files });
    const report = {
      inputs: paths,
      stageNames: names,
      output: shards,
      complete,
      skipped: skipped.byFile,
      ...stats,
    };
    await writeFile(join(output, plan.statsFile), `${JSON.stringify(report, null, 2)}\n`);
    return finish({ report, pendingDedup, plan, output, json: values.json, stdout });
  } finally {
    interrupt?.dispose();
  }
}

/** Prints the table (or JSON) and returns the exit code: 130 when interrupted. */
function finish(options: {
  report: { complete: boolean; output: string[] } & RunStats;
  pendingDedup: boolean;
  plan: TaskPlan;
  output: string;
  json: boolean;
  stdout: NodeJS.WritableStream;
}): number {
  const { report, pendingDedup, plan, output, stdout } = options;
  if (options.json) stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    const docsPerSecond = report.read / Math.max(report.durationMs / 1000, 1e-9);
    stdout.write(
      `${formatStatsTable(report)}\n\n${report.read} read = ${report.kept} kept + ${report.dropped} dropped + ${report.errored} errored; ${docsPerSecond.toFixed(1)} docs/s; ${report.output.length} shard(s) in ${output}\n${pendingDedup ? `task ${plan.taskIndex} of ${plan.taskCount} filtered and signed into ${plan.workDir}; next: dedup buckets, clusters, filter\n` : ''}`,
    );
  }
  if (!report.complete) {
    stdout.write(
      `interrupted: the documents read so far are written; ${plan.statsFile} says "complete": false. Run the same command again for the whole input.\n`,
    );
    return 130;
  }
  return 0;
}
