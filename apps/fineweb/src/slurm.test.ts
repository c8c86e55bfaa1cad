import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fineWebSlurmJobs, slurmScript, writeSlurmScripts } from './slurm.ts';

describe('writeSlurmScripts', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'lmkit-slurm-'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes array jobs and a submit script that chains them with afterok', async () => {
    const dir = join(root, 'scripts');
    const log = join(root, 'ran.txt');
    const { scripts, submit } = await writeSlurmScripts({
      dir,
      workingDirectory: root,
      partition: 'cpu',
      setup: ['export GREETING=hi'],
      jobs: [
        {
          name: 'first',
          arraySize: 3,
          maxParallel: 2,
          command: `echo "first $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT $GREETING" >> ${log}`,
        },
        {
          name: 'second',
          command: `echo "second $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT" >> ${log}`,
        },
        {
          name: 'third',
          arraySize: 2,
          memory: '16G',
          command: `echo "third $SLURM_ARRAY_TASK_ID" >> ${log}`,
        },
      ],
    });
    expect(scripts.map((s) => s.slice(dir.length + 1))).toEqual([
      '01-first.sbatch',
      '02-second.sbatch',
      '03-third.sbatch',
    ]);
    const first = await readFile(scripts[0], 'utf8');
    expect(first).toContain('#SBATCH --array=0-2%2\n');
    expect(first).toContain('#SBATCH --partition=cpu\n');
    expect(first).toContain('#SBATCH --job-name=fineweb-01-first\n');
    const second = await readFile(scripts[1], 'utf8');
    expect(second).not.toContain('--array');
    expect(await readFile(scripts[2], 'utf8')).toContain('#SBATCH --mem=16G\n');

    // Submit through a fake sbatch that records its arguments and answers job ids 101, 102, ...
    const bin = join(root, 'bin');
    const calls = join(root, 'sbatch-calls.txt');
    execFileSync('mkdir', ['-p', bin]);
    await writeFile(
      join(bin, 'sbatch'),
      `#!/bin/bash\nn=$(( $(cat ${calls} 2>/dev/null | wc -l) + 101 ))\necho "$*" >> ${calls}\necho "$n;cluster"\n`,
    );
    await chmod(join(bin, 'sbatch'), 0o755);
    const printed = execFileSync('bash', [submit], {
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
      encoding: 'utf8',
    });
    expect((await readFile(calls, 'utf8')).trim().split('\n')).toEqual([
      '--parsable 01-first.sbatch',
      '--parsable --dependency=afterok:101 02-second.sbatch',
      '--parsable --dependency=afterok:102 03-third.sbatch',
    ]);
    expect(printed).toContain('third: job 103');
    expect(first).toContain('#SBATCH --kill-on-invalid-dep=yes\n');
    expect(first).toContain(`#SBATCH --output=${join(dir, 'logs', '%x-%A_%a.out')}\n`);

    // Run each script as Slurm would: every array index of a stage, in stage order, from
    // another folder (the scripts cd into the working directory themselves).
    const sizes = [3, 1, 2];
    const runAll = (): string[] => {
      const printed: string[] = [];
      for (const [i, script] of scripts.entries()) {
        for (let task = 0; task < sizes[i]; task++) {
          const env: NodeJS.ProcessEnv = { ...process.env };
          if (sizes[i] > 1)
            Object.assign(env, {
              SLURM_ARRAY_TASK_ID: String(task),
              SLURM_ARRAY_TASK_COUNT: String(sizes[i]),
            });
          else delete env.SLURM_ARRAY_TASK_ID;
          printed.push(execFileSync('bash', [script], { env, cwd: bin, encoding: 'utf8' }));
        }
      }
      return printed;
    };
    runAll();
    const expected = [
      'first 0/3 hi',
      'first 1/3 hi',
      'first 2/3 hi',
      'second 0/1',
      'third 0',
      'third 1',
    ];
    expect((await readFile(log, 'utf8')).trim().split('\n')).toEqual(expected);
    expect((await readdir(join(dir, 'done'))).sort()).toEqual([
      '01-first.0',
      '01-first.1',
      '01-first.2',
      '02-second.0',
      '03-third.0',
      '03-third.1',
    ]);
    // A second submission skips every finished task; a task whose marker is gone runs again.
    await rm(join(dir, 'done', '03-third.1'));
    const again = runAll();
    expect(again.filter((out) => out.includes('skipped'))).toHaveLength(5);
    expect((await readFile(log, 'utf8')).trim().split('\n')).toEqual([...expected, 'third 1']);
  });

  it('stops at a failing command without marking the task finished', async () => {
    const dir = join(root, 'failing');
    const { scripts } = await writeSlurmScripts({
      dir,
      workingDirectory: root,
      jobs: [{ name: 'broken', command: 'false\necho "not reached"' }],
    });
    expect(() => execFileSync('bash', [scripts[0]], { stdio: 'pipe' })).toThrow();
    expect(await readdir(join(dir, 'done'))).toEqual([]);
  });

  it('rejects bad job names, array sizes and relative paths, naming the value', () => {
    const options = { dir: root, workingDirectory: root, jobs: [] };
    expect(() =>
      slurmScript({ name: 'x', command: 'true' }, 0, { ...options, workingDirectory: 'repo' }),
    ).toThrow(/working directory "repo" is relative; .* absolute path/);
    expect(() => slurmScript({ name: 'a b', command: 'true' }, 0, options)).toThrow(
      /job name "a b"/,
    );
    expect(() => slurmScript({ name: 'x', command: 'true', arraySize: 0 }, 0, options)).toThrow(
      /array size 0/,
    );
  });
});

describe('fineWebSlurmJobs', () => {
  it('plans filter → 14 bucket tasks → 1 cluster task → dedup filter, quoting paths', () => {
    const jobs = fineWebSlurmJobs({
      inputs: ['crawl/*.warc.gz'],
      output: "out dir/it's",
      tasks: 8,
    });
    expect(jobs.map((j) => [j.name, j.arraySize])).toEqual([
      ['filter', 8],
      ['minhash-buckets', 14],
      ['minhash-clusters', 1],
      ['minhash-filter', 8],
    ]);
    expect(jobs[0].command).toBe(
      "pnpm lmkit-fineweb run --input 'crawl/*.warc.gz' --output 'out dir/it'\\''s' --work-dir 'out dir/it'\\''s-minhash' --task-count 8 --quiet",
    );
    expect(jobs[1].command).toContain('dedup buckets');
    expect(jobs[1].command).toContain('--task-count 14');
    expect(jobs[3].command).toContain(
      "dedup filter --work-dir 'out dir/it'\\''s-minhash' --output 'out dir/it'\\''s' --task-count 8",
    );
  });
});
