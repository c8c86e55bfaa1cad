#!/usr/bin/env node
// lmkit-fineweb: the FineWeb recipe from the command line. `run` filters a crawl; each command
// lives in its own module so later commands (dedup, slurm) plug in beside it.

import { dedupCommand, dedupUsage } from './dedup-command.ts';
import { runCommand, runUsage } from './run-command.ts';
import { slurmCommand, slurmUsage } from './slurm-command.ts';

const usage = `usage: lmkit-fineweb <command> [options]

commands:
  run     filter WARC/JSONL/Parquet files into JSONL or Parquet shards with a stats table
  dedup   the MinHash stages after run --task-count N: buckets, clusters, filter
  slurm   write sbatch scripts (and submit.sh) for the whole recipe on a Slurm cluster

${runUsage}

${dedupUsage}

${slurmUsage}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const cwd = process.env.INIT_CWD ?? process.cwd();
  if (command === 'run') return runCommand({ argv: rest, cwd });
  if (command === 'dedup') return dedupCommand({ argv: rest, cwd });
  if (command === 'slurm') return slurmCommand({ argv: rest, cwd });
  process.stderr.write(`${usage}\n`);
  return command === undefined || command === '--help' || command === '-h' ? 0 : 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`lmkit-fineweb: ${(error as Error).message ?? error}\n`);
    process.exitCode = 1;
  },
);
