#!/usr/bin/env node
// lmkit-tokenizer: train, encode, decode and show byte-level BPE tokenizers (@lmkit/bpe).
// Each command parses its own flags (args.ts) and prints its own --help. Follows @lmkit/cli-kit's
// convention: usage errors are one line and exit 2; --version.
import {
  cliExitCode,
  errorReport,
  isMainModule,
  programVersion,
  suggestion,
  UsageError,
} from '@lmkit/cli-kit';
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

const commands = ['train', 'encode', 'decode', 'show'];

/**
 * Runs a command; usage errors print one line on `io.stderr` and return 2, other errors
 * propagate (the entry point prints their message and exits 1).
 */
export async function main(argv: string[], io: CommandIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'train') return await trainCommand({ argv: rest, io });
    if (command === 'encode' || command === 'decode' || command === 'show') {
      return await tokensCommand({ mode: command, argv: rest, io });
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    error.command ??= command;
    io.stderr(errorReport('lmkit-tokenizer', error).text);
    return 2;
  }
  if (command === undefined || command === '--help' || command === '-h') {
    io.stdout(`${usage}\n`);
    return 0;
  }
  if (command === '--version') {
    io.stdout(`${programVersion('lmkit-tokenizer', import.meta.url)}\n`);
    return 0;
  }
  io.stderr(
    `lmkit-tokenizer: unknown command ${JSON.stringify(command)}; the commands are ${commands.join(', ')}.${suggestion(command, commands, '')}\n\n${usage}\n`,
  );
  return 2;
}

if (isMainModule(import.meta.url)) {
  const io = processIo();
  process.exitCode = await cliExitCode({
    name: 'lmkit-tokenizer',
    plainErrors: 'message',
    main: () => main(process.argv.slice(2), io),
  });
}
