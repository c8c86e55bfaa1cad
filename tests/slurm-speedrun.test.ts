// `pnpm speedrun --slurm` on a real single-node Slurm (tests/slurm-cluster.ts): the speedrun's
// filter stage, run as the FineWeb Slurm jobs over the tiny preset's crawl, writes the same
// documents byte for byte as the in-process filter, with the same counts; switching modes redoes
// the stage, and a failing task fails it with one line naming the task's log. Skips, saying why,
// where the daemons are not installed; the missing-sbatch error is checked everywhere.

import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSpeedrunArgs } from '../apps/speedrun/src/args.ts';
import { crawlStage, type FilterStats, filterStage } from '../apps/speedrun/src/data-stages.ts';
import { repoRoot } from '../apps/speedrun/src/paths.ts';
import {
  type SpeedrunPreset,
  speedrunPresets,
  withRunFlags,
} from '../apps/speedrun/src/presets.ts';
import { recordedStats, runStages, type Stage } from '../apps/speedrun/src/runner.ts';
import { filterOnSlurm, slurmUnavailable } from '../apps/speedrun/src/slurm-filter.ts';
import { type LocalSlurm, localSlurmUnavailable, startLocalSlurm } from './slurm-cluster.ts';

const unavailable = localSlurmUnavailable();
const stages = [crawlStage, filterStage] as Stage<SpeedrunPreset, object>[];

const documentBytes = (outDir: string, stats: FilterStats) =>
  Buffer.concat(stats.files.map((file) => readFileSync(join(outDir, file))));

it('--slurm and --slurm-partition reach the preset the filter stage reads', () => {
  const preset = (argv: string[]) =>
    withRunFlags(speedrunPresets.tiny, parseSpeedrunArgs(argv, ['crawl', 'filter'])).slurm;
  expect(preset([])).toBeUndefined();
  expect(preset(['--slurm'])).toEqual({});
  expect(preset(['--slurm', '--slurm-partition', 'cpu'])).toEqual({ partition: 'cpu' });
  expect(() => preset(['--slurm-partition', 'cpu'])).toThrow(/add --slurm/u);
});

it('without sbatch on PATH, --slurm stops with one line naming the fix', async () => {
  const env = { PATH: '/nonexistent' };
  expect(slurmUnavailable(env)).toMatch(/sbatch and squeue.*apt-get install slurm-wlm munge/u);
  await expect(filterOnSlurm({ dir: tmpdir(), paths: [], env })).rejects.toThrow(
    /^--slurm needs sbatch and squeue on PATH; install Slurm \(`apt-get install slurm-wlm munge`\)[^\n]*$/u,
  );
});

describe.skipIf(unavailable !== undefined)(
  `speedrun --slurm on a local single-node Slurm${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let root: string;
    let slurm: LocalSlurm | undefined;
    const previousConf = process.env.SLURM_CONF;

    beforeAll(async () => {
      root = await mkdtemp(join(tmpdir(), 'lmkit-slurm-speedrun-'));
      slurm = await startLocalSlurm(join(root, 'slurm'));
      // sbatch and squeue (and the jobs, which inherit it) talk to the test's cluster.
      process.env.SLURM_CONF = slurm.env.SLURM_CONF;
    }, 60_000);

    afterAll(async () => {
      if (previousConf === undefined) delete process.env.SLURM_CONF;
      else process.env.SLURM_CONF = previousConf;
      await slurm?.stop();
      await rm(root, { recursive: true, force: true });
    }, 60_000);

    it('filters the crawl as Slurm jobs into the same documents as the in-process filter', async () => {
      const outDir = join(root, 'run');
      const lines: string[] = [];
      const runAs = (preset: SpeedrunPreset) =>
        runStages({
          stages,
          outDir,
          preset,
          presetName: 'tiny',
          repoDir: repoRoot,
          log: (line) => lines.push(line),
        });
      const single = recordedStats(await runAs(speedrunPresets.tiny), filterStage)!;
      const singleBytes = documentBytes(outDir, single);
      expect(singleBytes.length).toBeGreaterThan(0);

      const onSlurm = { ...speedrunPresets.tiny, slurm: {} };
      const markers = await runAs(onSlurm);
      expect(lines).toContain('[2/2 filter] redone: its parameters changed');
      const split = recordedStats(markers, filterStage)!;
      expect(markers.find((m) => m.stage === 'filter')?.params).toMatchObject({ slurm: {} });
      const crawl = recordedStats(markers, crawlStage)!;
      // One filter task per WARC file: one shard per task, in task order.
      expect(split.files).toHaveLength(crawl.warcFiles);
      expect(split.files.every((file) => file.startsWith('filter/documents/'))).toBe(true);
      expect(documentBytes(outDir, split).equals(singleBytes)).toBe(true);
      expect(split).toMatchObject({
        read: single.read,
        kept: single.kept,
        dropped: single.dropped,
        errored: single.errored,
        stageNames: single.stageNames,
      });
      for (const [i, stage] of split.stages.entries()) {
        expect(stage).toMatchObject({
          stage: single.stages[i].stage,
          read: single.stages[i].read,
          kept: single.stages[i].kept,
          dropped: single.stages[i].dropped,
        });
      }
      expect(slurm!.finishedJobs().every((job) => job.state === 'COMPLETED')).toBe(true);
    }, 240_000);

    it('fails the stage with one line naming the log of the task that failed', async () => {
      const dir = join(root, 'failing');
      const missing = join(root, 'no-such.warc.gz');
      const error = await filterOnSlurm({ dir, paths: [missing], pollMs: 200 }).catch(
        (e: Error) => e,
      );
      expect(error).toBeInstanceOf(Error);
      const message = (error as Error).message;
      expect(message).toMatch(/^Slurm filter job filter task 0 failed; see \S+\.out$/u);
      const log = message.replace(/^.*; see /u, '');
      expect(log.startsWith(join(dir, 'slurm', 'logs'))).toBe(true);
      expect(readFileSync(log, 'utf8')).toContain('no-such.warc.gz');
    }, 120_000);
  },
);
