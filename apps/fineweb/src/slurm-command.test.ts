import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture } from './__fixtures__/capture.ts';
import { defaultSlurmCli, slurmCommand } from './slurm-command.ts';

describe('lmkit-fineweb slurm', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'lmkit-fineweb-slurm-'));
    for (let i = 0; i < 4; i++)
      await writeFile(
        join(root, `part-${i}.jsonl`),
        `${JSON.stringify({ id: `${i}`, text: 'x' })}\n`,
      );
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes the sbatch scripts of the whole run with one task per input file, paths absolute', async () => {
    const out = capture();
    await slurmCommand({
      argv: [
        '--input',
        'part-*.jsonl',
        '--output',
        'cluster-out',
        '--scripts',
        'jobs',
        '--partition',
        'cpu',
      ],
      cwd: root,
      stdout: out.stream,
    });
    expect(out.text()).toContain(`submit with: bash ${join(root, 'jobs', 'submit.sh')}`);
    const names = (await readdir(join(root, 'jobs'))).sort();
    expect(names).toEqual([
      '01-filter.sbatch',
      '02-minhash-buckets.sbatch',
      '03-minhash-clusters.sbatch',
      '04-minhash-filter.sbatch',
      'done',
      'logs',
      'submit.sh',
    ]);
    const filter = await readFile(join(root, 'jobs', '01-filter.sbatch'), 'utf8');
    expect(filter).toContain('#SBATCH --array=0-3\n');
    expect(filter).toContain(`cd '${root}'\n`);
    expect(filter).toContain(`${defaultSlurmCli()} run --input '${join(root, 'part-0.jsonl')}'`);
    expect(filter).toContain(`--output '${join(root, 'cluster-out')}'`);
    expect(await readFile(join(root, 'jobs', '02-minhash-buckets.sbatch'), 'utf8')).toContain(
      '#SBATCH --array=0-13\n',
    );
    expect(await readFile(join(root, 'jobs', 'submit.sh'), 'utf8')).toContain(
      '--dependency=afterok:',
    );
  });

  it('calls the CLI by absolute paths that run from any folder', () => {
    const help = execFileSync('bash', ['-c', `${defaultSlurmCli()} --help 2>&1`], {
      cwd: tmpdir(),
      encoding: 'utf8',
    });
    expect(help).toContain('usage: lmkit-fineweb <command>');
  });

  it('sizes the bucket stage with --bucket-tasks, within 1..14', async () => {
    await slurmCommand({
      argv: ['-i', 'part-*.jsonl', '-o', 'o', '--scripts', 'few', '--bucket-tasks', '3'],
      cwd: root,
      stdout: capture().stream,
    });
    const buckets = await readFile(join(root, 'few', '02-minhash-buckets.sbatch'), 'utf8');
    expect(buckets).toContain('#SBATCH --array=0-2\n');
    expect(buckets).toContain('dedup buckets');
    expect(buckets).toContain('--task-count 3');
    await expect(
      slurmCommand({
        argv: ['-i', 'part-*.jsonl', '-o', 'o', '--scripts', 'x', '--bucket-tasks', '15'],
        cwd: root,
      }),
    ).rejects.toThrow(/--bucket-tasks 15: must be at most 14/);
  });
});
