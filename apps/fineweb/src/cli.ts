#!/usr/bin/env node
// lmkit-fineweb: the FineWeb recipe from the command line. `run` filters a crawl; each command
// lives in its own module so later commands (dedup, slurm) plug in beside it. Follows
// @lmkit/cli-kit's convention: usage errors exit 2 with one line, --help and --version.
import { type CliIo, cliExitCode, dispatch, isMainModule, programVersion } from '@lmkit/cli-kit';
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

/** Runs lmkit-fineweb with `argv` (no program name); resolves to the exit status. */
export function finewebCli(argv: string[], io?: CliIo): Promise<number> {
  const cwd = process.env.INIT_CWD ?? process.cwd();
  return cliExitCode({
    name: 'lmkit-fineweb',
    io,
    plainErrors: 'message',
    main: () =>
      dispatch({
        argv,
        usage,
        version: programVersion('lmkit-fineweb', import.meta.url),
        io,
        commands: {
          run: { summary: 'filter a crawl', run: (rest) => runCommand({ argv: rest, cwd }) },
          dedup: { summary: 'MinHash stages', run: (rest) => dedupCommand({ argv: rest, cwd }) },
          slurm: { summary: 'Slurm scripts', run: (rest) => slurmCommand({ argv: rest, cwd }) },
        },
      }),
  });
}

if (isMainModule(import.meta.url)) process.exitCode = await finewebCli(process.argv.slice(2));
