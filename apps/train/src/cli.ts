#!/usr/bin/env node
// lmkit-train: pretrain | sft | dpo | reward | loop | eval | sample | bench | llmc, each with --help. Run from the repo root as
// `pnpm lmkit-train <command> ...`. Follows @lmkit/cli-kit's convention: usage errors exit 2 with
// one line, errors of the work exit 1 with one line, --version everywhere.
import { type CliIo, cliExitCode, dispatch, isMainModule, programVersion } from '@lmkit/cli-kit';
import { benchCommand } from './bench-command.ts';
import { evalCommand } from './eval-command.ts';
import { llmcCommand } from './llmc-command.ts';
import { loopCommand } from './loop-command.ts';
import { dpoCommand, rewardCommand } from './preference-command.ts';
import { pretrainCommand } from './pretrain-command.ts';
import { sampleCommand } from './sample-command.ts';
import { sftCommand } from './sft-command.ts';

const commands = {
  pretrain: {
    summary: 'pre-train a GPT on shards or a text file (resumable; SIGINT writes a checkpoint)',
    run: pretrainCommand,
  },
  sft: {
    summary: 'fine-tune a base checkpoint on conversations (chat markers added)',
    run: sftCommand,
  },
  dpo: {
    summary: 'align an SFT checkpoint with preference pairs (DPO; resumable)',
    run: dpoCommand,
  },
  reward: {
    summary: 'train a reward model on preference pairs (Bradley–Terry; resumable)',
    run: rewardCommand,
  },
  loop: {
    summary: 'the RLHF loop: sample, score with a reward model, DPO on best vs worst (resumable)',
    run: loopCommand,
  },
  eval: {
    summary: 'score checkpoints (bits per byte, cloze, multiple choice, preferences) beside chance',
    run: evalCommand,
  },
  sample: { summary: 'generate text from a checkpoint', run: sampleCommand },
  bench: { summary: 'training tokens/s for config a or b, as one JSON line', run: benchCommand },
  llmc: {
    summary: 'hand a pre-training run to llm.c (prepare) and bring its checkpoints back (import)',
    run: llmcCommand,
  },
};

const usage = `lmkit-train <command> [flags]

${Object.entries(commands)
  .map(([name, command]) => `  ${name.padEnd(10)} ${command.summary}`)
  .join('\n')}

Run \`lmkit-train <command> --help\` for its flags.`;

/** Runs lmkit-train with `argv` (no program name); resolves to the exit status. */
export function trainCli(argv: string[], io?: CliIo): Promise<number> {
  return cliExitCode({
    name: 'lmkit-train',
    io,
    main: () =>
      dispatch({
        argv,
        usage,
        version: programVersion('lmkit-train', import.meta.url),
        commands,
        io,
      }),
  });
}

if (isMainModule(import.meta.url)) process.exitCode = await trainCli(process.argv.slice(2));
