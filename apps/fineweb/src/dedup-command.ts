// `lmkit-fineweb dedup buckets|clusters|filter`: the MinHash stages after `run --task-count N`,
// one Slurm array task per call (task index and count default from the Slurm environment).
// `filter` writes the task's final shards and prints the whole run's stats table for that task.

import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseKebabFlags, UsageError } from '@lmkit/cli-kit';
import {
  dedupAndFinish,
  dedupBucketsTask,
  dedupClustersTask,
  formatStatsTable,
  removedDocumentsWriter,
  resolveTaskSlot,
  writeDocuments,
} from '@lmkit/crawler-filters';
import { dedupFlags } from './args.ts';
import { integerArg } from './dedup-run.ts';
import { nameList, publishShards, removeEarlierOutputs, stagingDir } from './run-output.ts';

export const dedupUsage = `lmkit-fineweb dedup buckets  --work-dir DIR [--task-index N --task-count N]
lmkit-fineweb dedup clusters --work-dir DIR
lmkit-fineweb dedup filter   --work-dir DIR --output DIR [--task-index N --task-count N] [options]

  buckets                merges every task's sorted signatures of buckets i, i+count, ... (14 buckets)
  clusters               joins the matches into clusters (one task) and lists what each task drops
  filter                 drops the task's duplicates, replaces PII, writes shards and stats-taskN.json
  --format FORMAT        jsonl (default), jsonl.gz or parquet (filter)
  --shard-size N         documents per shard (default 100000) (filter)
  --no-pii               keep e-mail and public IP addresses (filter)
  --removed              also write removed-taskN.jsonl with every dropped document (filter)
  --json                 print stats as JSON`;

export interface DedupCommandOptions {
  argv: string[];
  cwd: string;
  stdout?: NodeJS.WritableStream;
  env?: Record<string, string | undefined>;
}

export async function dedupCommand(options: DedupCommandOptions): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const [action, ...rest] = options.argv;
  const { values } = parseKebabFlags(dedupFlags, rest);
  if (!values['work-dir'])
    throw new UsageError('--work-dir is required: lmkit-fineweb dedup ACTION --work-dir DIR');
  const workDir = resolve(options.cwd, values['work-dir']);
  const slot = () =>
    resolveTaskSlot({
      taskIndex: integerArg('task-index', values['task-index']),
      taskCount: integerArg('task-count', values['task-count']),
      env: options.env,
    });
  const print = (value: unknown, text: string) =>
    stdout.write(values.json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
  if (action === 'buckets') {
    const { taskIndex, taskCount } = slot();
    const summaries = await dedupBucketsTask({ workDir, taskIndex, taskCount });
    const matches = summaries.reduce((sum, s) => sum + s.matches, 0);
    print(
      summaries,
      `buckets ${summaries.map((s) => s.bucket).join(', ')}: ${matches} matching pairs`,
    );
    return 0;
  }
  if (action === 'clusters') {
    const summary = await dedupClustersTask({ workDir });
    print(
      summary,
      `${summary.documents} documents in ${summary.tasks} task(s): ${summary.clusters} clusters, ${summary.duplicates} duplicates to remove`,
    );
    return 0;
  }
  if (action === 'filter') {
    if (!values.output) throw new Error(`--output is required for dedup filter\n\n${dedupUsage}`);
    const format = values.format as 'jsonl' | 'jsonl.gz' | 'parquet';
    if (!['jsonl', 'jsonl.gz', 'parquet'].includes(format)) {
      throw new Error(`--format "${values.format}" is not one of jsonl, jsonl.gz, parquet`);
    }
    const { taskIndex, taskCount } = slot();
    const output = resolve(options.cwd, values.output);
    const tag = String(taskIndex).padStart(5, '0');
    const prefix = taskCount > 1 ? `documents-task${tag}` : 'documents';
    // Like run: earlier shards of this task go, new ones appear only when complete.
    const earlier = removeEarlierOutputs({
      output,
      prefix,
      statsFile: `stats-task${tag}.json`,
      extraFiles: [`removed-task${tag}.jsonl`],
    });
    if (earlier.length > 0) {
      process.stderr.write(
        `removed ${earlier.length} file(s) an earlier run left in ${output}: ${nameList(earlier)}\n`,
      );
    }
    await mkdir(output, { recursive: true });
    const writer = writeDocuments({
      dir: stagingDir(output, prefix),
      format,
      prefix,
      maxDocumentsPerShard: values['shard-size'],
    });
    const removed = values.removed
      ? removedDocumentsWriter({ path: join(output, `removed-task${tag}.jsonl`) })
      : undefined;
    const stats = await dedupAndFinish({
      workDir,
      taskIndex,
      sink: writer.sink,
      pii: values['no-pii'] ? false : {},
      onRemoved: removed ? (r) => removed.onRemoved(r) : undefined,
    });
    await removed?.close();
    const shards = publishShards({ output, prefix, files: writer.files });
    const report = { task: { taskIndex, taskCount }, output: shards, ...stats };
    await writeFile(join(output, `stats-task${tag}.json`), `${JSON.stringify(report, null, 2)}\n`);
    print(
      report,
      `${formatStatsTable(stats)}\n\ntask ${taskIndex} of ${taskCount}: ${stats.read} read, ${stats.kept} kept; ${shards.length} shard(s) in ${output}`,
    );
    return 0;
  }
  throw new Error(
    `unknown dedup action "${action ?? ''}"; use buckets, clusters or filter\n\n${dedupUsage}`,
  );
}
