#!/usr/bin/env node
// lmkit-tokenizer: train, encode, decode and show byte-level BPE tokenizers (@lmkit/bpe).
// Each command parses its own options and prints its own --help.
import { type CommandIo, processIo } from './io.ts';
import { tokensCommand } from './tokens-commands.ts';
import { trainCommand } from './train-command.ts';

export const usage = `usage: lmkit-tokenizer <command> [options]

commands:
  train    train a tokenizer on files or stdin → tokenizer.json (progress on stderr)
  encode   text → ids
  decode   ids → text
  show     text → the coloured token view (terminal or --html)

Run lmkit-tokenizer <command> --help for a command's options.`;

export async function main(argv: string[], io: CommandIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'train') return trainCommand({ argv: rest, io });
  if (command === 'encode' || command === 'decode' || command === 'show') {
    return tokensCommand({ mode: command, argv: rest, io });
  }
  if (command === undefined || command === '--help' || command === '-h') {
    io.stdout(`${usage}\n`);
    return 0;
  }
  io.stderr(`unknown command ${JSON.stringify(command)}\n\n${usage}\n`);
  return 2;
}

const isEntry = process.argv[1]?.replace(/\\/g, '/').endsWith('apps/tokenizer/src/cli.ts');
if (isEntry) {
  main(process.argv.slice(2), processIo()).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`lmkit-tokenizer: ${(error as Error).message ?? error}\n`);
      process.exitCode = 1;
    },
  );
}
