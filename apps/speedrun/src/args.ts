// `pnpm speedrun`'s flags, declared once with @lmkit/cli-kit: the preset, the output folder, the
// stage to redo from, and the backend and seed every training stage uses.
import { flag, formatHelp, parseFlags } from '@lmkit/cli-kit';
import { speedrunPresets } from './presets.ts';

export function speedrunFlags(stageNames: readonly string[]) {
  return {
    preset: flag.string({
      description:
        'small: ≤ 15 minutes on 2 CPU cores; tiny: a minute or two, for tests; gpt2: the 124M model, for a real machine',
      choices: Object.keys(speedrunPresets) as (keyof typeof speedrunPresets)[],
      default: 'small',
      placeholder: 'NAME',
    }),
    out: flag.string({ description: 'output folder (default runs/speedrun)', placeholder: 'DIR' }),
    from: flag.string({
      description: 'redo this stage and every later one from scratch (earlier ones are kept)',
      choices: stageNames,
      placeholder: 'STAGE',
    }),
    backend: flag.string({
      description:
        "TensorFlow.js backend of the training and eval stages (default: the preset's, else auto)",
      choices: ['auto', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const,
      placeholder: 'NAME',
    }),
    seed: flag.number({
      description: 'seed of the training runs (default 1337); a different seed redoes them',
      integer: true,
      min: 0,
      max: 2 ** 32 - 1,
      placeholder: 'N',
    }),
    slurm: flag.boolean({
      description:
        'run the filter stage as Slurm jobs (one per WARC file) and wait for them; needs sbatch and a running cluster',
    }),
    'slurm-partition': flag.string({
      description: 'Slurm partition of the --slurm jobs (default: the cluster default)',
      placeholder: 'NAME',
    }),
  };
}

/** The parsed flags (throws a UsageError naming the flag for anything wrong). */
export function parseSpeedrunArgs(argv: readonly string[], stageNames: readonly string[]) {
  return parseFlags(speedrunFlags(stageNames), argv).values;
}

/** The help text from the same declarations. */
export function speedrunHelp(stages: readonly { name: string; title: string }[]): string {
  return formatHelp({
    usage:
      'pnpm speedrun [--preset NAME] [--out DIR] [--from STAGE] [--backend NAME] [--seed N] [--slurm]',
    description: `Runs the whole lmkit recipe on data that ships with the repository:\n  ${stages.map((s, i) => `${i + 1}. ${s.title}`).join('\n  ')}`,
    groups: [{ flags: speedrunFlags(stages.map((s) => s.name)) }],
    footer: `Each stage writes into DIR/<stage>/ and a done.json marker with the hashes of what it read and
wrote; a rerun skips a finished stage while its parameters and inputs are unchanged, redoes it and
every later stage otherwise, and an interrupted training stage resumes from its last checkpoint.`,
  });
}
