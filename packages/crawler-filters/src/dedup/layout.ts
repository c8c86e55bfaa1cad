// Where each dedup stage reads and writes inside a work directory, shared by every task of a run
// (on a cluster, a shared file system). Also the MinHash config the first stage records there, so
// that later stages refuse to mix signatures made with different settings.

import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CrawlerFiltersError } from '../errors.ts';
import { defaultMinHashConfig, type MinHashConfig } from './minhash.ts';

const pad = (value: number, width: number) => String(value).padStart(width, '0');

/** Paths of one dedup run's files. Documents are keyed by (task index, position in the task). */
export const dedupLayout = {
  configFile: (workDir: string) => join(workDir, 'minhash-config.json'),
  bucketDir: (workDir: string, bucket: number) =>
    join(workDir, 'signatures', `bucket-${pad(bucket, 3)}`),
  signatureRun: (workDir: string, bucket: number, task: number, run: number) =>
    join(dedupLayout.bucketDir(workDir, bucket), `task-${pad(task, 5)}-run-${pad(run, 4)}.bin`),
  idsFile: (workDir: string, task: number) => join(workDir, 'ids', `task-${pad(task, 5)}.jsonl`),
  taskSummary: (workDir: string, task: number) =>
    join(workDir, 'tasks', `task-${pad(task, 5)}.json`),
  matchesFile: (workDir: string, bucket: number) =>
    join(workDir, 'matches', `bucket-${pad(bucket, 3)}.bin`),
  removalsFile: (workDir: string, task: number) =>
    join(workDir, 'removals', `task-${pad(task, 5)}.jsonl`),
  clusterSummary: (workDir: string) => join(workDir, 'removals', 'summary.json'),
} as const;

/** Writes a file atomically (temp file + rename), so concurrent tasks never see half a file. */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temporary, content);
  await rename(temporary, path);
}

/** Records the config (first stage), or checks it equals the one recorded earlier. */
export async function recordMinHashConfig(workDir: string, config: MinHashConfig): Promise<void> {
  await mkdir(workDir, { recursive: true });
  const existing = await readMinHashConfig(workDir).catch(() => undefined);
  if (existing) checkSameConfig(workDir, existing, config);
  else await writeFileAtomic(dedupLayout.configFile(workDir), `${JSON.stringify(config)}\n`);
}

/** The config the signature stage recorded in `workDir`. */
export async function readMinHashConfig(workDir: string): Promise<MinHashConfig> {
  const path = dedupLayout.configFile(workDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new CrawlerFiltersError(
      'missing-dedup-stage',
      `${path} does not exist; run the minhash signature stage into ${workDir} first`,
    );
  }
  return { ...defaultMinHashConfig, ...(JSON.parse(text) as Partial<MinHashConfig>) };
}

export function checkSameConfig(
  workDir: string,
  recorded: MinHashConfig,
  given: MinHashConfig,
): void {
  for (const key of Object.keys(defaultMinHashConfig) as (keyof MinHashConfig)[]) {
    if (recorded[key] !== given[key]) {
      throw new CrawlerFiltersError(
        'minhash-config-mismatch',
        `${workDir} holds signatures made with ${key} ${recorded[key]}, not ${given[key]}; ` +
          'use the same MinHash config in every stage, or a fresh work directory',
      );
    }
  }
}

/** Folders a dedup run writes inside its work directory (and nothing else). */
const RUN_FOLDERS = [
  'signatures',
  'ids',
  'tasks',
  'matches',
  'removals',
  'removed',
  'filtered',
  'stats',
];

/** Empties the dedup folders of `workDir` (other files stay), before a run that owns every task. */
export async function resetDedupWorkDir(workDir: string): Promise<void> {
  for (const folder of RUN_FOLDERS)
    await rm(join(workDir, folder), { recursive: true, force: true });
  await rm(dedupLayout.configFile(workDir), { force: true });
}
