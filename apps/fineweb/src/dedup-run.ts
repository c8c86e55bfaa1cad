// What `lmkit-fineweb run` adds for part 2: the task this process runs (--task-index/--task-count,
// defaulting from a Slurm array), MinHash dedup (on by default) and PII at the end of the stages.
// One task: the whole recipe here. Several: the filter half here, then `dedup` commands finish.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  filesForTask,
  filterAndSign,
  piiStage,
  type RunPipelineOptions,
  type RunStats,
  resolveTaskSlot,
  runPipeline,
  runWithDedup,
} from '@lmkit/crawler-filters';

/** Stage names `run --stages` takes besides the registry's; they always run last, in this order. */
export const dedupStageNames = ['minhash-dedup', 'pii'] as const;

/** The names createStages builds (everything but dedup and PII). */
export function filterStageNames(names: readonly string[]): string[] {
  return names.filter((name) => !(dedupStageNames as readonly string[]).includes(name));
}

/** parseArgs options `run` gains. */
export const dedupRunArgs = {
  'task-index': { type: 'string' },
  'task-count': { type: 'string' },
  'work-dir': { type: 'string' },
  'no-dedup': { type: 'boolean', default: false },
  'no-pii': { type: 'boolean', default: false },
} as const;

export const dedupRunUsage = `  --stages also takes minhash-dedup and pii (both in the default list; they always run last)
  --task-index N         this task's index (default $SLURM_ARRAY_TASK_ID, else 0)
  --task-count N         tasks the inputs split into, in blocks of files (default $SLURM_ARRAY_TASK_COUNT, else 1)
  --work-dir DIR         MinHash work folder shared by all tasks (default OUTPUT-minhash beside the
                         output with --task-count above 1, else a temporary folder removed afterwards)
  --no-dedup             skip MinHash near-duplicate removal (on by default: word 5-grams, 14 x 8 hashes)
  --no-pii               keep e-mail and public IP addresses (replaced by default, after dedup)
  with --task-count above 1 and dedup on, run filters and signs its block of files; then run
  "dedup buckets", "dedup clusters" and "dedup filter" (the slurm command writes all four jobs)`;

export interface DedupRunValues {
  'task-index'?: string;
  'task-count'?: string;
  'work-dir'?: string;
  'no-dedup'?: boolean;
  'no-pii'?: boolean;
}

export interface TaskPlan {
  taskIndex: number;
  taskCount: number;
  /** This task's block of the inputs. */
  paths: string[];
  /** Shard prefix, distinct per task so tasks can share one output folder. */
  prefix: string;
  /** Stats file name in the output folder, distinct per task. */
  statsFile: string;
  /** MinHash work folder; undefined for a single task means a temporary one. */
  workDir: string | undefined;
  dedup: boolean;
  pii: boolean;
}

export function integerArg(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`--${name} "${raw}" is not a whole number; pass e.g. --${name} 0`);
  }
  return value;
}

/** Resolves the task slot, its files, shard prefix and dedup settings from the parsed options. */
export function planTask(options: {
  values: DedupRunValues;
  /** The --stages names (the default list includes minhash-dedup and pii). */
  names: readonly string[];
  paths: readonly string[];
  output: string;
  cwd: string;
  env?: Record<string, string | undefined>;
}): TaskPlan {
  const { values } = options;
  const slot = resolveTaskSlot({
    taskIndex: integerArg('task-index', values['task-index']),
    taskCount: integerArg('task-count', values['task-count']),
    env: options.env,
  });
  const tag = String(slot.taskIndex).padStart(5, '0');
  return {
    ...slot,
    paths: filesForTask({ files: options.paths, ...slot }),
    prefix: slot.taskCount > 1 ? `documents-task${tag}` : 'documents',
    statsFile: slot.taskCount > 1 ? `stats-task${tag}.json` : 'stats.json',
    workDir: values['work-dir']
      ? resolve(options.cwd, values['work-dir'])
      : slot.taskCount > 1
        ? `${options.output}-minhash`
        : undefined,
    dedup: options.names.includes('minhash-dedup') && !values['no-dedup'],
    pii: options.names.includes('pii') && !values['no-pii'],
  };
}

export interface RunFineWebResult {
  stats: RunStats;
  /** True when this task only filtered and signed; the dedup commands write the output. */
  pendingDedup: boolean;
}

/** Runs the stages with dedup and PII as the plan says, in place of a bare `runPipeline`. */
export async function runFineWeb(
  options: RunPipelineOptions & { plan: TaskPlan },
): Promise<RunFineWebResult> {
  const { plan, ...pipeline } = options;
  const { stages } = pipeline;
  if (!plan.dedup) {
    const tail = plan.pii ? [piiStage()] : [];
    return {
      stats: await runPipeline({ ...pipeline, stages: [...stages, ...tail] }),
      pendingDedup: false,
    };
  }
  if (plan.taskCount === 1) {
    const workDir = plan.workDir ?? (await mkdtemp(join(tmpdir(), 'lmkit-fineweb-minhash-')));
    try {
      const stats = await runWithDedup({
        ...pipeline,
        stages,
        workDir,
        pii: plan.pii ? {} : false,
      });
      return { stats, pendingDedup: false };
    } finally {
      if (plan.workDir === undefined) await rm(workDir, { recursive: true, force: true });
    }
  }
  if (plan.workDir === undefined)
    throw new Error('a run split into tasks needs a shared --work-dir');
  const stats = await filterAndSign({
    ...pipeline,
    stages,
    workDir: plan.workDir,
    taskIndex: plan.taskIndex,
  });
  return { stats, pendingDedup: true };
}
