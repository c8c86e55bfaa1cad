// Slurm batch scripts for a multi-stage run: one sbatch script per stage (a job array when the
// stage has several tasks) and a submit.sh that chains the stages with --dependency=afterok.
// Also the FineWeb plan: filter + signatures → buckets → clusters → dedup filter + PII.

import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultMinHashConfig } from './dedup/minhash.ts';
import { CrawlerFiltersError } from './errors.ts';

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
  /** Folder the scripts are written to. */
  dir: string;
  /** Stages in order; each starts after the previous one finished successfully. */
  jobs: readonly SlurmJob[];
  /** Directory the jobs `cd` into (the repository root, on the shared file system). */
  workingDirectory: string;
  /** Prefix of the job names. Default `fineweb`. */
  jobNamePrefix?: string;
  partition?: string;
  account?: string;
  /** Defaults for jobs that set none: 1 CPU, 4G, 04:00:00. */
  cpusPerTask?: number;
  memory?: string;
  time?: string;
  /** Folder for the logs (`%x-%A_%a.out`). Default `<dir>/logs`. */
  logsDir?: string;
  /** Lines run before each command (`module load nodejs`, `source env.sh`). */
  setup?: readonly string[];
}

export interface SlurmScripts {
  /** sbatch scripts in stage order. */
  scripts: string[];
  /** The submit script that chains them. */
  submit: string;
}

const quote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

function checkJob(job: SlurmJob): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/u.test(job.name)) {
    throw new CrawlerFiltersError(
      'invalid-slurm-job',
      `job name ${JSON.stringify(job.name)} must be letters, digits, - and _; rename the stage`,
    );
  }
  const size = job.arraySize ?? 1;
  if (!Number.isInteger(size) || size < 1) {
    throw new CrawlerFiltersError(
      'invalid-slurm-job',
      `job "${job.name}" array size ${size} is not a positive integer; pass 1 or more tasks`,
    );
  }
}

/** The text of one stage's sbatch script. */
export function slurmScript(
  job: SlurmJob,
  index: number,
  options: WriteSlurmScriptsOptions,
): string {
  checkJob(job);
  const size = job.arraySize ?? 1;
  const prefix = options.jobNamePrefix ?? 'fineweb';
  const logsDir = options.logsDir ?? join(options.dir, 'logs');
  const lines = [
    '#!/bin/bash',
    `#SBATCH --job-name=${prefix}-${String(index + 1).padStart(2, '0')}-${job.name}`,
  ];
  if (size > 1)
    lines.push(`#SBATCH --array=0-${size - 1}${job.maxParallel ? `%${job.maxParallel}` : ''}`);
  lines.push(
    `#SBATCH --cpus-per-task=${job.cpusPerTask ?? options.cpusPerTask ?? 1}`,
    `#SBATCH --mem=${job.memory ?? options.memory ?? '4G'}`,
    `#SBATCH --time=${job.time ?? options.time ?? '04:00:00'}`,
    `#SBATCH --output=${join(logsDir, size > 1 ? '%x-%A_%a.out' : '%x-%j.out')}`,
  );
  if (options.partition) lines.push(`#SBATCH --partition=${options.partition}`);
  if (options.account) lines.push(`#SBATCH --account=${options.account}`);
  lines.push(
    'set -euo pipefail',
    `cd ${quote(options.workingDirectory)}`,
    // A plain job is task 0 of 1; an array task gets its index and count from Slurm.
    `export SLURM_ARRAY_TASK_ID="\${SLURM_ARRAY_TASK_ID:-0}"`,
    `export SLURM_ARRAY_TASK_COUNT="\${SLURM_ARRAY_TASK_COUNT:-${size}}"`,
    ...(options.setup ?? []),
    job.command,
    '',
  );
  return lines.join('\n');
}

/** Writes `NN-<name>.sbatch` per stage and `submit.sh`; returns their paths. */
export async function writeSlurmScripts(options: WriteSlurmScriptsOptions): Promise<SlurmScripts> {
  if (options.jobs.length === 0) {
    throw new CrawlerFiltersError('invalid-slurm-job', 'no jobs to write; pass at least one stage');
  }
  await mkdir(options.dir, { recursive: true });
  await mkdir(options.logsDir ?? join(options.dir, 'logs'), { recursive: true });
  const scripts: string[] = [];
  const submit = [
    '#!/bin/bash',
    '# Submits every stage; each waits for the previous one (afterok).',
    'set -euo pipefail',
    'cd "$(dirname "$0")"',
  ];
  for (const [index, job] of options.jobs.entries()) {
    const name = `${String(index + 1).padStart(2, '0')}-${job.name}.sbatch`;
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
  /** MinHash buckets: the bucket stage's array size. Default 14. */
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
  const inputs = options.inputs.map((input) => `--input ${quote(input)}`).join(' ');
  const common = `--work-dir ${quote(workDir)}`;
  return [
    {
      name: 'filter',
      arraySize: options.tasks,
      command: `${cli} run ${inputs} --output ${quote(options.output)} ${common} --task-count ${options.tasks}${options.runArgs?.length ? ` ${options.runArgs.join(' ')}` : ''} --quiet`,
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
      command: `${cli} dedup filter ${common} --output ${quote(options.output)} --task-count ${options.tasks}`,
    },
  ];
}
