// The filter stage under `--slurm`: the FineWeb Slurm plan of @lmkit/app-fineweb (filter +
// signatures array → buckets → clusters → dedup filter array, one filter task per WARC file)
// written into the stage folder, submitted with its submit.sh, waited for with a bounded squeue
// loop, and read back as one RunStats summed over the tasks' stats-taskN.json. A task that did
// not leave its done marker fails the stage with one line naming its log.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { fineWebSlurmJobs, writeSlurmScripts } from '@lmkit/app-fineweb/slurm';
import { defaultSlurmCli } from '@lmkit/app-fineweb/slurm-command';
import type { RunStats, StageStats } from '@lmkit/crawler-filters';
import { SpeedrunError } from './runner.ts';

const run = promisify(execFile);

export interface SlurmFilterOptions {
  /** The filter stage's folder: documents/, minhash/ and slurm/ (scripts, logs, done) go here. */
  dir: string;
  /** Absolute input files, one filter task each. */
  paths: readonly string[];
  partition?: string;
  /** Environment of sbatch and squeue (and so of the jobs). Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Give up waiting after this long. Default 24 hours. */
  timeoutMs?: number;
  /** Between two squeue polls. Default 2 s. */
  pollMs?: number;
  /** Called after each poll with the jobs still queued or running. */
  onPoll?: (queued: number) => void;
}

export interface SlurmFilterResult extends RunStats {
  /** Absolute paths of the kept documents' shards, in task order. */
  files: string[];
}

/** Why `--slurm` cannot submit here (no sbatch or squeue on PATH), or undefined when it can. */
export function slurmUnavailable(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const missing = ['sbatch', 'squeue'].filter((name) => {
    try {
      execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore', env });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return undefined;
  return `--slurm needs ${missing.join(' and ')} on PATH; install Slurm (\`apt-get install slurm-wlm munge\`) and run on a machine of a running cluster, or drop --slurm`;
}

const stageFolder = (index: number, name: string) =>
  `${String(index + 1).padStart(2, '0')}-${name}`;

/** Sums the tasks' stats stage by stage (every task ran the same stages in the same order). */
export function sumTaskStats(tasks: readonly RunStats[], durationMs: number): RunStats {
  const addCounts = (a: Record<string, number>, b: Record<string, number>) => {
    const out = { ...a };
    for (const [key, value] of Object.entries(b)) out[key] = (out[key] ?? 0) + value;
    return out;
  };
  const stages: StageStats[] = tasks[0].stages.map((first, i) => {
    const all = tasks.map((task) => task.stages[i]);
    const mismatch = all.find((stage) => stage?.stage !== first.stage);
    if (mismatch) {
      throw new SpeedrunError(
        `Slurm filter tasks ran different stages (${first.stage} vs ${mismatch?.stage}); redo the filter stage`,
      );
    }
    const sum = (pick: (s: StageStats) => number) => all.reduce((n, s) => n + pick(s), 0);
    const tokens = all.every((s) => s.keptTokens !== undefined);
    return {
      stage: first.stage,
      read: sum((s) => s.read),
      kept: sum((s) => s.kept),
      dropped: all.reduce((n, s) => addCounts(n, s.dropped), {}),
      errored: all.reduce((n, s) => addCounts(n, s.errored), {}),
      durationMs: sum((s) => s.durationMs),
      readBytes: sum((s) => s.readBytes),
      keptBytes: sum((s) => s.keptBytes),
      ...(tokens ? { keptTokens: sum((s) => s.keptTokens ?? 0) } : {}),
    };
  });
  const total = (pick: (s: RunStats) => number) => tasks.reduce((n, s) => n + pick(s), 0);
  return {
    read: total((s) => s.read),
    kept: total((s) => s.kept),
    dropped: total((s) => s.dropped),
    errored: total((s) => s.errored),
    stages,
    durationMs,
  };
}

/** Writes, submits and waits for the FineWeb Slurm plan; returns the summed stats and shards. */
export async function filterOnSlurm(options: SlurmFilterOptions): Promise<SlurmFilterResult> {
  const env = options.env ?? process.env;
  const unavailable = slurmUnavailable(env);
  if (unavailable) throw new SpeedrunError(unavailable);
  const started = performance.now();
  const output = join(options.dir, 'documents');
  const scriptsDir = join(options.dir, 'slurm');
  const tasks = options.paths.length;
  const jobs = fineWebSlurmJobs({
    inputs: options.paths,
    output,
    workDir: join(options.dir, 'minhash'),
    tasks,
    // Bucket tasks: as many as filter tasks, up to one per MinHash bucket (14).
    buckets: Math.min(tasks, 14),
    cli: defaultSlurmCli(),
  });
  const { submit } = await writeSlurmScripts({
    dir: scriptsDir,
    jobs,
    workingDirectory: options.dir,
    jobNamePrefix: 'speedrun',
    partition: options.partition,
  });
  const submitted = await run('bash', [submit], { env }).catch((error: { stderr?: string }) => {
    throw new SpeedrunError(
      `sbatch refused the filter jobs (${String(error.stderr ?? error)
        .trim()
        .split('\n')
        .pop()}); check the cluster with \`sinfo\` and --slurm-partition`,
    );
  });
  const ids = [...submitted.stdout.matchAll(/: job (\d+)/gu)].map((m) => m[1]);
  if (ids.length !== jobs.length) {
    throw new SpeedrunError(
      `${submit} printed ${ids.length} job ids for ${jobs.length} stages; run it by hand to see why`,
    );
  }
  const timeoutMs = options.timeoutMs ?? 24 * 3_600_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { stdout } = await run('squeue', ['-h', '-o', '%i', '-j', ids.join(',')], { env });
    const queued = stdout.split('\n').filter(Boolean).length;
    options.onPoll?.(queued);
    if (queued === 0) break;
    if (Date.now() > deadline) {
      throw new SpeedrunError(
        `the filter jobs (${ids.join(', ')}) were still queued or running after ${Math.round(timeoutMs / 1000)} s; cancel them with \`scancel ${ids.join(' ')}\` and rerun`,
      );
    }
    await delay(options.pollMs ?? 2000);
  }
  checkDoneMarkers(scriptsDir, jobs, ids);
  const statsFiles = readdirSync(output)
    .filter((name) => /^stats-task\d+\.json$/u.test(name))
    .sort();
  const reports = statsFiles.map(
    (name) =>
      JSON.parse(readFileSync(join(output, name), 'utf8')) as RunStats & { output: string[] },
  );
  if (reports.length !== tasks) {
    throw new SpeedrunError(
      `the filter jobs finished but ${output} has ${reports.length} stats-taskN.json files for ${tasks} tasks; redo the filter stage`,
    );
  }
  return {
    ...sumTaskStats(reports, Math.round(performance.now() - started)),
    files: reports.flatMap((report) => report.output),
  };
}

/** Throws, naming the log, for the first task of the first stage without a done marker. */
function checkDoneMarkers(
  scriptsDir: string,
  jobs: readonly { name: string; arraySize?: number }[],
  ids: readonly string[],
): void {
  const done = new Set(readdirSync(join(scriptsDir, 'done')));
  const logs = join(scriptsDir, 'logs');
  for (const [index, job] of jobs.entries()) {
    const folder = stageFolder(index, job.name);
    const size = job.arraySize ?? 1;
    for (let task = 0; task < size; task++) {
      if (done.has(`${folder}.${task}`)) continue;
      const log = join(
        logs,
        size > 1
          ? `speedrun-${folder}-${ids[index]}_${task}.out`
          : `speedrun-${folder}-${ids[index]}.out`,
      );
      throw new SpeedrunError(
        existsSync(log)
          ? `Slurm filter job ${job.name} task ${task} failed; see ${log}`
          : `Slurm filter job ${job.name} task ${task} did not run (cancelled or never started); see ${logs} and \`sacct -j ${ids[index]}\``,
      );
    }
  }
}
