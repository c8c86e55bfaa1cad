// A single-node Slurm for tests: munged, slurmctld and slurmd from Debian's `munge` and
// `slurm-wlm`, started as root with a minimal slurm.conf in a temporary folder and stopped again.
// Not a cluster simulator: the real daemons schedule, run and account for the jobs.

import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { cpus, hostname, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

const binaries = ['munged', 'slurmctld', 'slurmd', 'sbatch', 'squeue', 'scontrol', 'sinfo'];

/** Why a local Slurm cannot start here (binaries missing, not root), or undefined when it can. */
export function localSlurmUnavailable(): string | undefined {
  const missing = binaries.filter((name) => {
    try {
      execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0)
    return `${missing.join(', ')} not found; install them with \`apt-get install -y slurm-wlm munge\``;
  if (process.getuid?.() !== 0) return 'the daemons run as root here; run the test as root';
  return undefined;
}

export interface JobRecord {
  jobId: string;
  state: string;
  exitCode: string;
  name: string;
}

export interface LocalSlurm {
  /** Environment for sbatch/squeue and the jobs (SLURM_CONF points at the test's slurm.conf). */
  env: NodeJS.ProcessEnv;
  /** Polls squeue until no job is queued or running; throws after `timeoutMs`. */
  waitUntilIdle(timeoutMs: number): Promise<void>;
  /** Every finished job (array tasks one by one) from the job completion log. */
  finishedJobs(): JobRecord[];
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls `check` every 200 ms until it returns true; throws `message` after `timeoutMs`. */
async function until(check: () => Promise<boolean>, timeoutMs: number, message: () => string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(message());
    await delay(200);
  }
}

const tail = (path: string) =>
  existsSync(path) ? readFileSync(path, 'utf8').split('\n').slice(-15).join('\n') : '(no log)';

/**
 * One local Slurm at a time on this host: two slurmd with the same node name collide, and vitest runs
 * test files in parallel. The lock is a folder (mkdir is atomic) holding the owner's pid; a lock whose
 * owner has died is taken over. Waits at most `timeoutMs`.
 */
async function lockHost(timeoutMs: number): Promise<() => Promise<void>> {
  const lock = join(tmpdir(), 'lmkit-local-slurm.lock');
  const owner = join(lock, 'pid');
  const ownerAlive = () => {
    try {
      process.kill(Number(readFileSync(owner, 'utf8')), 0);
      return true;
    } catch {
      return false;
    }
  };
  await until(
    async () => {
      try {
        await mkdir(lock);
      } catch {
        if (existsSync(owner) && !ownerAlive()) await rm(lock, { recursive: true, force: true });
        return false;
      }
      await writeFile(owner, String(process.pid));
      return true;
    },
    timeoutMs,
    () => `another local Slurm (${lock}) was still running after ${timeoutMs} ms`,
  );
  let held = true;
  return async () => {
    // Once, and only while the lock is still ours.
    if (held && existsSync(owner) && readFileSync(owner, 'utf8') === String(process.pid))
      await rm(lock, { recursive: true, force: true });
    held = false;
  };
}

/** Starts munged, slurmctld and slurmd with everything (state, logs, sockets) under `dir`. */
export async function startLocalSlurm(dir: string): Promise<LocalSlurm> {
  const unlock = await lockHost(600_000);
  try {
    return await startLocked(dir, unlock);
  } catch (error) {
    await unlock();
    throw error;
  }
}

async function startLocked(dir: string, unlock: () => Promise<void>): Promise<LocalSlurm> {
  const node = hostname();
  const [ctldPort, nodePort] = [await freePort(), await freePort()];
  await mkdir(join(dir, 'munge'), { recursive: true, mode: 0o700 });
  for (const sub of ['state', 'spool']) await mkdir(join(dir, sub), { recursive: true });
  const key = join(dir, 'munge', 'munge.key');
  await writeFile(key, randomBytes(128), { mode: 0o600 });
  await chmod(join(dir, 'munge'), 0o711);
  const socket = join(dir, 'munge', 'munge.socket');
  await run('munged', [
    '--force',
    `--key-file=${key}`,
    `--socket=${socket}`,
    `--pid-file=${join(dir, 'munge', 'munged.pid')}`,
    `--log-file=${join(dir, 'munge', 'munged.log')}`,
    `--seed-file=${join(dir, 'munge', 'munged.seed')}`,
  ]);
  const memoryMb = Math.floor(totalmem() / 2 ** 20 / 2);
  const conf = join(dir, 'slurm.conf');
  await writeFile(
    conf,
    `${[
      'ClusterName=lmkit-test',
      `SlurmctldHost=${node}(127.0.0.1)`,
      'SlurmUser=root',
      'SlurmdUser=root',
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${nodePort}`,
      'AuthType=auth/munge',
      'CredType=cred/munge',
      `AuthInfo=socket=${socket}`,
      `StateSaveLocation=${join(dir, 'state')}`,
      `SlurmdSpoolDir=${join(dir, 'spool')}`,
      `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`,
      `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
      `SlurmctldLogFile=${join(dir, 'slurmctld.log')}`,
      `SlurmdLogFile=${join(dir, 'slurmd.log')}`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'SchedulerType=sched/builtin',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_CPU',
      'ReturnToService=2',
      'MpiDefault=none',
      'JobAcctGatherType=jobacct_gather/none',
      'AccountingStorageType=accounting_storage/none',
      'JobCompType=jobcomp/filetxt',
      `JobCompLoc=${join(dir, 'jobcomp.txt')}`,
      'MinJobAge=600',
      `NodeName=${node} NodeAddr=127.0.0.1 CPUs=${cpus().length} RealMemory=${memoryMb} State=UNKNOWN`,
      `PartitionName=test Nodes=${node} Default=YES MaxTime=INFINITE State=UP`,
    ].join('\n')}\n`,
  );
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: process.env.LANG ?? 'C.UTF-8',
    SLURM_CONF: conf,
  };
  const slurmPids = () =>
    ['slurmctld.pid', 'slurmd.pid']
      .map((name) => join(dir, name))
      .filter(existsSync)
      .map((path) => Number(readFileSync(path, 'utf8').trim()))
      .filter((pid) => pid > 0);
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const stop = async () => {
    const started = slurmPids();
    await run('scontrol', ['shutdown'], { env }).catch(() => undefined);
    await until(
      async () => started.every((pid) => !alive(pid)),
      15_000,
      () => 'slurm daemons did not stop',
    ).catch(() => {
      for (const pid of started) if (alive(pid)) process.kill(pid, 'SIGKILL');
    });
    await run('munged', ['--stop', `--socket=${socket}`]).catch(() => undefined);
    await unlock();
  };
  try {
    await run('slurmctld', ['-i'], { env });
    await run('slurmd', ['-N', node], { env });
    await until(
      async () => {
        const { stdout } = await run('sinfo', ['-h', '-o', '%t'], { env }).catch(() => ({
          stdout: '',
        }));
        return stdout.trim() === 'idle';
      },
      30_000,
      () =>
        `the local Slurm node did not become idle in 30 s\nslurmctld.log:\n${tail(join(dir, 'slurmctld.log'))}\nslurmd.log:\n${tail(join(dir, 'slurmd.log'))}`,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    env,
    async waitUntilIdle(timeoutMs) {
      await until(
        async () => (await run('squeue', ['-h', '-o', '%i'], { env })).stdout.trim() === '',
        timeoutMs,
        () =>
          `jobs still queued after ${timeoutMs} ms:\n${execFileSync('squeue', { env, encoding: 'utf8' })}`,
      );
    },
    finishedJobs() {
      const path = join(dir, 'jobcomp.txt');
      if (!existsSync(path)) return [];
      return readFileSync(path, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const field = (name: string) => new RegExp(`(?:^| )${name}=(\\S*)`).exec(line)?.[1] ?? '';
          const arrayTask = field('ArrayTaskId');
          const arrayJob = field('ArrayJobId');
          return {
            jobId: arrayJob && arrayTask ? `${arrayJob}_${arrayTask}` : field('JobId'),
            state: field('JobState'),
            exitCode: field('ExitCode'),
            name: field('Name'),
          };
        });
    },
    stop,
  };
}
