// `lmkit-fineweb slurm`: writes the sbatch scripts of a whole FineWeb run (filter array →
// 14 bucket tasks → 1 cluster task → dedup-filter array) and a submit.sh chaining them afterok.

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fineWebSlurmJobs, writeSlurmScripts } from '@lmkit/crawler-filters';
import { integerArg } from './dedup-run.ts';
import { expandInputs } from './expand-inputs.ts';

export const slurmUsage = `lmkit-fineweb slurm --input PATTERN [--input ...] --output DIR --scripts DIR [options]

  --input, -i PATTERN    inputs, as for run (expanded now to count the files)
  --output, -o DIR       final output folder (on the shared file system)
  --scripts DIR          where the .sbatch files, submit.sh and logs/ go
  --tasks N              filter and dedup-filter array size (default: one task per input file)
  --work-dir DIR         MinHash work folder (default OUTPUT/minhash)
  --partition NAME, --account NAME, --time HH:MM:SS, --memory 4G, --cpus N
  --setup LINE           a shell line each job runs first (repeatable), e.g. "module load nodejs"
  --cli COMMAND          how jobs call this CLI (default "pnpm lmkit-fineweb")
  --run-args "ARGS"      extra options for the filter stage's run command`;

export interface SlurmCommandOptions {
  argv: string[];
  cwd: string;
  stdout?: NodeJS.WritableStream;
}

export async function slurmCommand(options: SlurmCommandOptions): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const { values } = parseArgs({
    args: options.argv,
    allowPositionals: false,
    options: {
      input: { type: 'string', short: 'i', multiple: true },
      output: { type: 'string', short: 'o' },
      scripts: { type: 'string' },
      tasks: { type: 'string' },
      'work-dir': { type: 'string' },
      partition: { type: 'string' },
      account: { type: 'string' },
      time: { type: 'string' },
      memory: { type: 'string' },
      cpus: { type: 'string' },
      setup: { type: 'string', multiple: true },
      cli: { type: 'string' },
      'run-args': { type: 'string' },
    },
  });
  if (!values.input?.length || !values.output || !values.scripts) {
    throw new Error(`--input, --output and --scripts are required\n\n${slurmUsage}`);
  }
  const inputs = expandInputs(values.input, options.cwd);
  const tasks = integerArg('tasks', values.tasks) ?? inputs.length;
  if (tasks < 1) throw new Error(`--tasks ${tasks} must be 1 or more`);
  const output = resolve(options.cwd, values.output);
  const jobs = fineWebSlurmJobs({
    inputs,
    output,
    workDir: values['work-dir'] && resolve(options.cwd, values['work-dir']),
    tasks,
    cli: values.cli,
    runArgs: values['run-args'] ? [values['run-args']] : undefined,
  });
  const { scripts, submit } = await writeSlurmScripts({
    dir: resolve(options.cwd, values.scripts),
    jobs,
    workingDirectory: options.cwd,
    partition: values.partition,
    account: values.account,
    time: values.time,
    memory: values.memory,
    cpusPerTask: integerArg('cpus', values.cpus),
    setup: values.setup,
  });
  const lines = jobs.map(
    (job, i) => `  ${scripts[i]}  (${job.arraySize} task${job.arraySize === 1 ? '' : 's'})`,
  );
  stdout.write(`${lines.join('\n')}\nsubmit with: bash ${submit}\n`);
  return 0;
}
