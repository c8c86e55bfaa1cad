// `lmkit-fineweb slurm`: writes the sbatch scripts of a whole FineWeb run (filter array →
// 14 bucket tasks → 1 cluster task → dedup-filter array) and a submit.sh chaining them afterok.
// Paths are made absolute here, and jobs call this CLI by absolute paths (node, tsx, cli.ts), so
// the scripts run from any folder on any node that sees the same file system.

import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flag, parseKebabFlags, UsageError } from '@lmkit/cli-kit';
import { defaultMinHashConfig } from '@lmkit/crawler-filters';
import { expandInputs } from './expand-inputs.ts';
import { fineWebSlurmJobs, shellQuote, writeSlurmScripts } from './slurm.ts';

/** This CLI by absolute paths: the running node, tsx's CLI and cli.ts (source conditions). */
export function defaultSlurmCli(): string {
  const tsx = createRequire(import.meta.url).resolve('tsx/cli');
  const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
  return [process.execPath, tsx, '--conditions=source', cli].map(shellQuote).join(' ');
}

export const slurmUsage = `lmkit-fineweb slurm --input PATTERN [--input ...] --output DIR --scripts DIR [options]

  --input, -i PATTERN    inputs, as for run (expanded now to count the files)
  --output, -o DIR       final output folder (on the shared file system)
  --scripts DIR          where the .sbatch files, submit.sh and logs/ go
  --tasks N              filter and dedup-filter array size (default: one task per input file)
  --bucket-tasks N       bucket stage array size (default 14, one task per MinHash bucket)
  --work-dir DIR         MinHash work folder (default OUTPUT-minhash)
  --partition NAME, --account NAME, --time HH:MM:SS, --memory 4G, --cpus N
  --setup LINE           a shell line each job runs first (repeatable), e.g. "module load nodejs"
  --cli COMMAND          how jobs call this CLI (default: this node, tsx and cli.ts by absolute path)
  --run-args "ARGS"      extra options for the filter stage's run command

Jobs cd into the folder this command ran in; every path is written absolute. Logs: SCRIPTS/logs,
one file per task. A failed task cancels the later stages; submitting again skips the tasks that
finished (markers in SCRIPTS/done; remove that folder to redo everything).`;

/** The slurm command's flags, declared once: the parser and the limits come from here. */
const slurmFlags = {
  input: flag.list({
    description: 'inputs, as for run',
    short: 'i',
    commas: false,
    placeholder: 'PATTERN',
  }),
  output: flag.string({ description: 'final output folder', short: 'o', placeholder: 'DIR' }),
  scripts: flag.string({ description: 'where the scripts and logs go', placeholder: 'DIR' }),
  tasks: flag.number({ description: 'filter and dedup-filter array size', integer: true, min: 1 }),
  'bucket-tasks': flag.number({
    description: 'bucket stage array size',
    integer: true,
    min: 1,
    max: defaultMinHashConfig.buckets,
  }),
  'work-dir': flag.string({ description: 'MinHash work folder', placeholder: 'DIR' }),
  partition: flag.string({ description: 'Slurm partition', placeholder: 'NAME' }),
  account: flag.string({ description: 'Slurm account', placeholder: 'NAME' }),
  time: flag.string({ description: 'time limit per task', placeholder: 'HH:MM:SS' }),
  memory: flag.string({ description: 'memory per task', placeholder: '4G' }),
  cpus: flag.number({ description: 'CPUs per task', integer: true, min: 1 }),
  setup: flag.list({
    description: 'a shell line each job runs first',
    commas: false,
    placeholder: 'LINE',
  }),
  cli: flag.string({ description: 'how jobs call this CLI', placeholder: 'COMMAND' }),
  'run-args': flag.string({
    description: "extra options for the filter stage's run",
    placeholder: 'ARGS',
  }),
};

export interface SlurmCommandOptions {
  argv: string[];
  cwd: string;
  stdout?: NodeJS.WritableStream;
}

export async function slurmCommand(options: SlurmCommandOptions): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const { values } = parseKebabFlags(slurmFlags, options.argv);
  if (values.help) {
    stdout.write(`${slurmUsage}\n`);
    return 0;
  }
  if (!values.input?.length || !values.output || !values.scripts) {
    throw new UsageError(
      '--input, --output and --scripts are required (see lmkit-fineweb slurm --help)',
    );
  }
  const inputs = expandInputs(values.input, options.cwd);
  const tasks = values.tasks ?? inputs.length;
  const buckets = values['bucket-tasks'];
  const output = resolve(options.cwd, values.output);
  const jobs = fineWebSlurmJobs({
    inputs,
    output,
    workDir: values['work-dir'] && resolve(options.cwd, values['work-dir']),
    tasks,
    buckets,
    cli: values.cli ?? defaultSlurmCli(),
    runArgs: values['run-args'] ? [values['run-args']] : undefined,
  });
  const { scripts, submit } = await writeSlurmScripts({
    dir: resolve(options.cwd, values.scripts),
    jobs,
    workingDirectory: resolve(options.cwd),
    partition: values.partition,
    account: values.account,
    time: values.time,
    memory: values.memory,
    cpusPerTask: values.cpus,
    setup: values.setup,
  });
  const lines = jobs.map(
    (job, i) => `  ${scripts[i]}  (${job.arraySize} task${job.arraySize === 1 ? '' : 's'})`,
  );
  stdout.write(`${lines.join('\n')}\nsubmit with: bash ${submit}\n`);
  return 0;
}
