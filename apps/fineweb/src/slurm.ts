// Slurm batch scripts for a multi-stage run: one sbatch script per stage (a job array when the
// stage has several tasks) and a submit.sh that chains the stages with --dependency=afterok.
// Also the FineWeb plan: filter + signatures → buckets → clusters → dedup filter + PII.
// What a real cluster needs: every path absolute (jobs start in the working directory given
// here, whatever the submitter's folder), one log per task, a failed task cancelling every later
// stage (--kill-on-invalid-dep), and a marker per finished task so a resubmission skips it.

import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { defaultMinHashConfig } from '@lmkit/crawler-filters';

export interface SlurmJob {
  /** Short name, used in the script's file name and the job name. */
  name: string;
  /** Shell command(s) each task runs; `$SLURM_ARRAY_TASK_ID` tells an array task which it is. */
  command: string;
  /** Tasks in the job array; 1 submits a plain job. Default 1. */
  arraySize?: number;
  /** Array tasks running at once (`%N`); default unlimited. */
  maxParallel?: number;
  cpusPerTask?: number;
  /** Memory per node, Slurm syntax (`4G`). */
  memory?: string;
  /** Time limit, Slurm syntax (`04:00:00`). */
  time?: string;
}

export interface WriteSlurmScriptsOptions {
  /** Folder the scripts are written to (absolute). */
  dir: string;
  /** Stages in order; each starts after the previous one finished successfully. */
  jobs: readonly SlurmJob[];
  /** Absolute directory the jobs `cd` into before running (on the shared file system). */
  workingDirectory: string;
  /** Prefix of the job names. Default `fineweb`. */
  jobNamePrefix?: string;
  partition?: string;
  account?: string;
  /** Defaults for jobs that set none: 1 CPU, 4G, 04:00:00. */
  cpusPerTask?: number;
  memory?: string;
  time?: string;
  /** Folder for the logs, one per task (`%x-%A_%a.out`). Default `<dir>/logs`. */
  logsDir?: string;
  /** Folder of the finished-task markers (`<stage>.<task>`). Default `<dir>/done`. */
  doneDir?: string;
  /** Lines run before each command (`module load nodejs`, `source env.sh`). */
  setup?: readonly string[];
}

export interface SlurmScripts {
  /** sbatch scripts in stage order. */
  scripts: string[];
  /** The submit script that chains them. */
  submit: string;
}

/** A single-quoted shell word. */
export const shellQuote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

function checkOptions(options: WriteSlurmScriptsOptions): void {
  for (const [name, path] of [
    ['working directory', options.workingDirectory],
    ['scripts folder', options.dir],
    ['logs folder', options.logsDir],
    ['done folder', options.doneDir],
  ] as const) {
    if (path !== undefined && !isAbsolute(path)) {
      throw new Error(
        `${name} "${path}" is relative; Slurm jobs start elsewhere, so pass an absolute path`,
      );
    }
  }
}

function checkJob(job: SlurmJob): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/u.test(job.name)) {
    throw new Error(
      `job name ${JSON.stringify(job.name)} must be letters, digits, - and _; rename the stage`,
    );
  }
  const size = job.arraySize ?? 1;
  if (!Number.isInteger(size) || size < 1) {
    throw new Error(
      `job "${job.name}" array size ${size} is not a positive integer; pass 1 or more tasks`,
    );
  }
}

const stageName = (job: SlurmJob, index: number) =>
  `${String(index + 1).padStart(2, '0')}-${job.name}`;

/** The text of one stage's sbatch script. */
export function slurmScript(
  job: SlurmJob,
  index: number,
  options: WriteSlurmScriptsOptions,
): string {
  checkOptions(options);
  checkJob(job);
  const size = job.arraySize ?? 1;
  const prefix = options.jobNamePrefix ?? 'fineweb';
  const logsDir = options.logsDir ?? join(options.dir, 'logs');
  const doneDir = options.doneDir ?? join(options.dir, 'done');
  const lines = ['#!/bin/bash', `#SBATCH --job-name=${prefix}-${stageName(job, index)}`];
  if (size > 1)
    lines.push(`#SBATCH --array=0-${size - 1}${job.maxParallel ? `%${job.maxParallel}` : ''}`);
  lines.push(
    `#SBATCH --cpus-per-task=${job.cpusPerTask ?? options.cpusPerTask ?? 1}`,
    `#SBATCH --mem=${job.memory ?? options.memory ?? '4G'}`,
    `#SBATCH --time=${job.time ?? options.time ?? '04:00:00'}`,
    `#SBATCH --output=${join(logsDir, size > 1 ? '%x-%A_%a.out' : '%x-%j.out')}`,
    // A dependency that can no longer be met (an earlier stage failed) cancels this stage.
    '#SBATCH --kill-on-invalid-dep=yes',
  );
  if (options.partition) lines.push(`#SBATCH --partition=${options.partition}`);
  if (options.account) lines.push(`#SBATCH --account=${options.account}`);
  lines.push(
    'set -euo pipefail',
    `cd ${shellQuote(options.workingDirectory)}`,
    // A plain job is task 0 of 1; an array task gets its index and count from Slurm.
    `export SLURM_ARRAY_TASK_ID="\${SLURM_ARRAY_TASK_ID:-0}"`,
    `export SLURM_ARRAY_TASK_COUNT="\${SLURM_ARRAY_TASK_COUNT:-${size}}"`,
    `done_file=${shellQuote(join(doneDir, stageName(job, index)))}".$SLURM_ARRAY_TASK_ID"`,
    'if [ -e "$done_file" ]; then',
    '  echo "task $SLURM_ARRAY_TASK_ID finished in an earlier submission ($done_file): skipped"',
    '  exit 0',
    'fi',
    `echo "task $SLURM_ARRAY_TASK_ID of $SLURM_ARRAY_TASK_COUNT, job \${SLURM_JOB_ID:-none}, on $(hostname), $(date -u +%FT%TZ)"`,
    ...(options.setup ?? []),
    job.command,
    'touch "$done_file"',
    '',
  );
  return lines.join('\n');
}

/**
 * Writes `NN-<name>.sbatch` per stage and `submit.sh`; returns their paths. Submitting again
 * after a failure reruns only the tasks without a marker in `doneDir` (remove it to redo all).
 */
export async function writeSlurmScripts(options: WriteSlurmScriptsOptions): Promise<SlurmScripts> {
  if (options.jobs.length === 0) throw new Error('no jobs to write; pass at least one stage');
  checkOptions(options);
  await mkdir(options.dir, { recursive: true });
  await mkdir(options.logsDir ?? join(options.dir, 'logs'), { recursive: true });
  await mkdir(options.doneDir ?? join(options.dir, 'done'), { recursive: true });
  const scripts: string[] = [];
  const submit = [
    '#!/bin/bash',
    '# Submits every stage; each waits for the previous one (afterok) and is cancelled if it fails.',
    '# Tasks that finished in an earlier submission skip themselves (markers in done/).',
    'set -euo pipefail',
    'cd "$(dirname "$0")"',
  ];
  for (const [index, job] of options.jobs.entries()) {
    const name = `${stageName(job, index)}.sbatch`;
    const path = join(options.dir, name);
    await writeFile(path, slurmScript(job, index, options));
    scripts.push(path);
    const dependency = index === 0 ? '' : ` --dependency=afterok:"\${job${index}%%;*}"`;
    submit.push(
      `job${index + 1}=$(sbatch --parsable${dependency} ${name})`,
      `echo "${job.name}: job \${job${index + 1}%%;*}"`,
    );
  }
  const submitPath = join(options.dir, 'submit.sh');
  await writeFile(submitPath, `${submit.join('\n')}\n`);
  await chmod(submitPath, 0o755);
  return { scripts, submit: submitPath };
}

export interface FineWebSlurmPlanOptions {
  /** Input files or quoted patterns, as `run --input` takes them. */
  inputs: readonly string[];
  /** Final output folder. */
  output: string;
  /** Dedup work folder (shared file system). Default `<output>-minhash`, beside the output. */
  workDir?: string;
  /** Tasks of the filter and dedup-filter stages (e.g. one per input file). */
  tasks: number;
  /** Tasks of the bucket stage (each merges buckets i, i + tasks, ...). Default 14, one per bucket. */
  buckets?: number;
  /** How the CLI is invoked. Default `pnpm lmkit-fineweb`. */
  cli?: string;
  /** Extra `run` options (e.g. `--languages eng`). */
  runArgs?: readonly string[];
}

/** FineWeb's four Slurm stages: filter + signatures, buckets, clusters, dedup filter + PII. */
export function fineWebSlurmJobs(options: FineWebSlurmPlanOptions): SlurmJob[] {
  const cli = options.cli ?? 'pnpm lmkit-fineweb';
  const workDir = options.workDir ?? `${options.output}-minhash`;
  const buckets = options.buckets ?? defaultMinHashConfig.buckets;
  const inputs = options.inputs.map((input) => `--input ${shellQuote(input)}`).join(' ');
  const common = `--work-dir ${shellQuote(workDir)}`;
  return [
    {
      name: 'filter',
      arraySize: options.tasks,
      command: `${cli} run ${inputs} --output ${shellQuote(options.output)} ${common} --task-count ${options.tasks}${options.runArgs?.length ? ` ${options.runArgs.join(' ')}` : ''} --quiet`,
    },
    {
      name: 'minhash-buckets',
      arraySize: buckets,
      command: `${cli} dedup buckets ${common} --task-count ${buckets}`,
    },
    { name: 'minhash-clusters', arraySize: 1, command: `${cli} dedup clusters ${common}` },
    {
      name: 'minhash-filter',
      arraySize: options.tasks,
      command: `${cli} dedup filter ${common} --output ${shellQuote(options.output)} --task-count ${options.tasks}`,
    },
  ];
}
