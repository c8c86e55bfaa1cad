// `lmkit-fineweb slurm` on a real single-node Slurm (Debian's slurm-wlm + munge, started by the
// test): the multi-task FineWeb run over several WARC files equals the single-process run byte
// for byte, with balanced stats; a failing task cancels the chain and a resubmission reruns only
// the unfinished tasks. Skips, saying why, where the daemons are not installed.

import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildWarc, type WarcPage } from '@lmkit/crawler-filters';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSlurmScripts } from '../apps/fineweb/src/slurm.ts';
import { type LocalSlurm, localSlurmUnavailable, startLocalSlurm } from './slurm-cluster.ts';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('..', import.meta.url));
const fineweb = [
  createRequire(import.meta.url).resolve('tsx/cli'),
  '--conditions=source',
  join(repo, 'apps/fineweb/src/cli.ts'),
];
const unavailable = localSlurmUnavailable();
const WARC_FILES = 3;
const PAGES_PER_FILE = 5;
/** Record ids unique across the files (buildWarc's default restarts at each file). */
const recordId = (n: number) =>
  `<urn:uuid:00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}>`;

/** Real article pages from data/html, split over WARC files, plus copies planted in later files. */
async function writeCrawl(dir: string): Promise<void> {
  const pagesDir = join(repo, 'data/html/readability');
  const names = readdirSync(pagesDir)
    .filter((name) => existsSync(join(pagesDir, name, 'source.html')))
    .sort()
    .slice(0, WARC_FILES * PAGES_PER_FILE);
  const pages: WarcPage[] = names.map((name, i) => ({
    url: `https://${name}.pages.example/article`,
    body: new Uint8Array(readFileSync(join(pagesDir, name, 'source.html'))),
    recordId: recordId(i),
  }));
  for (let file = 0; file < WARC_FILES; file++) {
    const records = pages.slice(file * PAGES_PER_FILE, (file + 1) * PAGES_PER_FILE);
    // A mirror of a page from the previous file: the dedup stages must find it across tasks.
    if (file > 0) {
      const original = pages[(file - 1) * PAGES_PER_FILE];
      records.push({
        ...original,
        url: original.url.replace('.pages.example', '.mirror.example'),
        recordId: recordId(1000 + file),
      });
    }
    await buildWarc({ records, path: join(dir, `crawl-${file}.warc.gz`) });
  }
}

const documentBytes = (dir: string) =>
  Buffer.concat(
    readdirSync(dir)
      .filter((name) => name.startsWith('documents'))
      .sort()
      .map((name) => readFileSync(join(dir, name))),
  );

interface Stats {
  read: number;
  kept: number;
  dropped: number;
  errored: number;
  stages: { stage: string; read: number; kept: number; dropped: Record<string, number> }[];
}

describe.skipIf(unavailable !== undefined)(
  `FineWeb on a local single-node Slurm${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let root: string;
    let slurm: LocalSlurm | undefined;

    beforeAll(async () => {
      root = await mkdtemp(join(tmpdir(), 'lmkit-slurm-e2e-'));
      slurm = await startLocalSlurm(join(root, 'slurm'));
    }, 60_000);

    afterAll(async () => {
      await slurm?.stop();
      await rm(root, { recursive: true, force: true });
    }, 60_000);

    // The CLI resolves relative paths against INIT_CWD when pnpm set it (`pnpm lmkit-fineweb` runs
    // from the repo root); under `pnpm test` every child inherits pnpm's INIT_CWD, so set it here.
    const atRoot = () => ({ cwd: root, env: { ...process.env, INIT_CWD: root } });

    it('runs the four chained stages as job arrays and matches the single-process output byte for byte', async () => {
      const crawl = join(root, 'crawl');
      await mkdir(crawl);
      await writeCrawl(crawl);
      const input = join(crawl, '*.warc.gz');
      await run(
        process.execPath,
        [...fineweb, 'run', '-i', input, '-o', join(root, 'single'), '--quiet'],
        atRoot(),
      );

      const printed = await run(
        process.execPath,
        [
          ...fineweb,
          'slurm',
          '-i',
          input,
          '-o',
          'split',
          '--scripts',
          'jobs',
          '--bucket-tasks',
          '2',
          '--memory',
          '500M',
        ],
        atRoot(),
      );
      expect(printed.stdout).toContain('submit with: bash');
      // Submitted from another folder: the scripts hold absolute paths.
      await run('bash', [join(root, 'jobs', 'submit.sh')], { env: slurm!.env, cwd: tmpdir() });
      await slurm!.waitUntilIdle(200_000);

      const jobs = slurm!.finishedJobs();
      // 3 filter tasks, 2 bucket tasks, 1 cluster job, 3 dedup-filter tasks.
      expect(jobs).toHaveLength(WARC_FILES + 2 + 1 + WARC_FILES);
      expect(jobs.filter((job) => job.state !== 'COMPLETED')).toEqual([]);
      const logs = readdirSync(join(root, 'jobs', 'logs'));
      expect(logs).toHaveLength(jobs.length);

      const single = join(root, 'single');
      const split = join(root, 'split');
      expect(documentBytes(split).equals(documentBytes(single))).toBe(true);
      expect(documentBytes(single).length).toBeGreaterThan(0);

      const whole: Stats = JSON.parse(readFileSync(join(single, 'stats.json'), 'utf8'));
      const tasks: Stats[] = readdirSync(split)
        .filter((name) => /^stats-task\d+\.json$/.test(name))
        .sort()
        .map((name) => JSON.parse(readFileSync(join(split, name), 'utf8')));
      expect(tasks).toHaveLength(WARC_FILES);
      const sum = (pick: (s: Stats) => number) => tasks.reduce((n, s) => n + pick(s), 0);
      for (const task of tasks) expect(task.read).toBe(task.kept + task.dropped + task.errored);
      expect(whole.read).toBe(WARC_FILES * PAGES_PER_FILE + WARC_FILES - 1);
      expect(whole.read).toBe(whole.kept + whole.dropped + whole.errored);
      expect({
        read: sum((s) => s.read),
        kept: sum((s) => s.kept),
        dropped: sum((s) => s.dropped),
        errored: sum((s) => s.errored),
      }).toEqual({
        read: whole.read,
        kept: whole.kept,
        dropped: whole.dropped,
        errored: whole.errored,
      });
      const dedup = (s: Stats) => s.stages.find((stage) => stage.stage === 'minhash-dedup');
      expect(dedup(whole)?.dropped.duplicate ?? 0).toBeGreaterThan(0);
      expect(sum((s) => dedup(s)?.dropped.duplicate ?? 0)).toBe(dedup(whole)?.dropped.duplicate);

      // Submitting again finds every task finished: nothing reruns, the output stays the same.
      const before = documentBytes(split);
      await run('bash', [join(root, 'jobs', 'submit.sh')], { env: slurm!.env });
      await slurm!.waitUntilIdle(60_000);
      const rerun = slurm!.finishedJobs().slice(jobs.length);
      expect(rerun.map((job) => job.state)).toEqual(Array(jobs.length).fill('COMPLETED'));
      const skipped = readdirSync(join(root, 'jobs', 'logs')).filter((name) =>
        readFileSync(join(root, 'jobs', 'logs', name), 'utf8').includes('skipped'),
      );
      expect(skipped).toHaveLength(jobs.length);
      expect(documentBytes(split).equals(before)).toBe(true);
    }, 360_000);

    it('cancels the later stages when a task fails, and a resubmission runs only what did not finish', async () => {
      const dir = join(root, 'failing');
      const ran = join(dir, 'ran.txt');
      const fixed = join(dir, 'fixed');
      const previous = slurm!.finishedJobs().length;
      const { submit } = await writeSlurmScripts({
        dir,
        workingDirectory: dir,
        memory: '100M',
        jobNamePrefix: 'failing',
        jobs: [
          {
            name: 'work',
            arraySize: 2,
            // Task 1 fails until the file `fixed` exists.
            command: `if [ "$SLURM_ARRAY_TASK_ID" = 1 ] && [ ! -e ${fixed} ]; then exit 3; fi\necho "work $SLURM_ARRAY_TASK_ID" >> ${ran}`,
          },
          { name: 'after', command: `echo after >> ${ran}` },
        ],
      });
      await run('bash', [submit], { env: slurm!.env });
      await slurm!.waitUntilIdle(60_000);
      const first = slurm!.finishedJobs().slice(previous);
      const byName = (name: string) =>
        first
          .filter((job) => job.name.endsWith(name))
          .map((job) => job.state)
          .sort();
      expect(byName('work')).toEqual(['COMPLETED', 'FAILED']);
      expect(byName('after')).toEqual(['CANCELLED']);
      expect(readFileSync(ran, 'utf8')).toBe('work 0\n');

      await writeFile(fixed, '');
      await run('bash', [submit], { env: slurm!.env });
      await slurm!.waitUntilIdle(60_000);
      const second = slurm!.finishedJobs().slice(previous + first.length);
      expect(second.map((job) => job.state)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);
      expect(readFileSync(ran, 'utf8')).toBe('work 0\nwork 1\nafter\n');
    }, 150_000);
  },
);
