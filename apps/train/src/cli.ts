#!/usr/bin/env node
// lmkit-train: pretrain | sft | sample | bench, each with --help. Run from the repo root as
// `pnpm lmkit-train <command> ...`. Errors from the trainer print as one line and exit 1.
import { TrainerError } from '@lmkit/trainer';
import { parseArgs } from './args.ts';
import { benchCommand, benchHelp } from './bench-command.ts';
import { pretrainCommand, pretrainHelp } from './pretrain-command.ts';
import { sampleCommand, sampleHelp } from './sample-command.ts';
import { sftCommand, sftHelp } from './sft-command.ts';

const usage = `lmkit-train <command> [flags]

  pretrain   pre-train a GPT on shards or a text file (resumable; SIGINT writes a checkpoint)
  sft        fine-tune a base checkpoint on conversations (chat markers added)
  sample     generate text from a checkpoint
  bench      training tokens/s for config a or b, as one JSON line

Run \`lmkit-train <command> --help\` for its flags.`;

const commands = {
  pretrain: { run: pretrainCommand, help: pretrainHelp },
  sft: { run: sftCommand, help: sftHelp },
  sample: { run: sampleCommand, help: sampleHelp },
  bench: { run: benchCommand, help: benchHelp },
} as const;

/** Errors of our packages whose message says what to fix: printed without a stack. */
const knownErrors = new Set([
  'GPTModelError',
  'DatasetsError',
  'ShardFormatError',
  'InvalidRecordError',
  'BpeError',
  'ChatTemplateError',
  'TfjsNativeError',
]);

const booleans = new Set(['help', 'chat', 'native', 'resume']);

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage);
    return name ? 0 : 1;
  }
  const command = commands[name as keyof typeof commands];
  if (!command) {
    console.error(`unknown command "${name}"\n\n${usage}`);
    return 1;
  }
  const args = parseArgs(rest, booleans);
  if (args.flags.get('help') || rest.includes('-h')) {
    console.log(command.help);
    return 0;
  }
  return command.run(args);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    if (error instanceof TrainerError || knownErrors.has(error?.name)) {
      console.error(`lmkit-train: ${error.message}`);
    } else {
      console.error(error);
    }
    process.exitCode = 1;
  },
);
