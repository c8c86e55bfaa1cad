// The outer shell of every lmkit app: runs `main`, turns the result into an exit status, and
// prints errors the way users expect: a usage error as one line and exit 2, an lmkit error or a
// file-system error as one line with the fix and exit 1, anything else (a bug) with its stack.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { LmkitError } from '@lmkit/core';
import { suggestion } from './flags.ts';
import { describeSystemError } from './system-errors.ts';
import { USAGE_EXIT_CODE, UsageError } from './usage-error.ts';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** Error names of lmkit packages whose messages say what to fix (also matched by LmkitError). */
const oneLineNames =
  /(Config|Usage|Format|Record|Model|Datasets|Bpe|Template|Native|Speedrun|Checkpoint|Filter)\w*Error$/;

/**
 * The exit status and the text `error` should print as, for the program `name`. `plainErrors:
 * 'message'` prints other errors' message alone too (apps whose commands throw plain Errors
 * with a sentence); the default prints their stack (a bug).
 */
export function errorReport(
  name: string,
  error: unknown,
  plainErrors: 'message' | 'stack' = 'stack',
): { code: number; text: string } {
  const parseError = (error as { code?: unknown })?.code;
  if (typeof parseError === 'string' && parseError.startsWith('ERR_PARSE_ARGS_')) {
    return {
      code: USAGE_EXIT_CODE,
      text: `${name}: ${(error as Error).message}\nRun \`${name} --help\` for the flags.\n`,
    };
  }
  if (error instanceof UsageError || (LmkitError.isInstance(error) && 'exitCode' in error)) {
    return {
      code: USAGE_EXIT_CODE,
      text: `${name}: ${(error as Error).message}\nRun \`${[name, (error as UsageError).command].filter(Boolean).join(' ')} --help\` for the flags.\n`,
    };
  }
  const system = describeSystemError(error);
  if (system) return { code: 1, text: `${name}: ${system}\n` };
  const named = error instanceof Error && oneLineNames.test(error.name);
  if (
    LmkitError.isInstance(error) ||
    named ||
    (plainErrors === 'message' && error instanceof Error)
  ) {
    return { code: 1, text: `${name}: ${(error as Error).message}\n` };
  }
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { code: 1, text: `${name}: unexpected error (please report it):\n${text}\n` };
}

/** `name version` from the nearest package.json above `fromUrl` that has a version. */
export function programVersion(name: string, fromUrl: string): string {
  let dir = dirname(new URL(fromUrl).pathname);
  for (let i = 0; i < 8; i++) {
    try {
      const json = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (typeof json.version === 'string') return `${name} ${json.version}`;
    } catch {}
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return `${name} (unversioned)`;
}

export interface RunCliOptions {
  /** Program name as users type it (`lmkit-train`); prefixes every error line. */
  name: string;
  /** The program; returns the exit status (default 0). */
  main: () => Promise<number | undefined> | number | undefined;
  io?: CliIo;
  /** How errors that are neither lmkit nor file-system errors print (see errorReport). */
  plainErrors?: 'message' | 'stack';
}

/** Runs `main` and returns its exit status, printing an error the convention's way. */
export async function cliExitCode(options: RunCliOptions): Promise<number> {
  const io = options.io ?? processIo;
  try {
    return (await options.main()) ?? 0;
  } catch (error) {
    const report = errorReport(options.name, error, options.plainErrors);
    io.stderr(report.text);
    return report.code;
  }
}

/** `cliExitCode`, then sets `process.exitCode` (never calls process.exit, so output is flushed). */
export async function runCli(options: RunCliOptions): Promise<number> {
  const code = await cliExitCode(options);
  process.exitCode = code;
  return code;
}

/** Whether the module at `moduleUrl` is the script node was started with (not imported). */
export function isMainModule(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  return new URL(moduleUrl).pathname === resolve(entry);
}

export interface Subcommand {
  summary: string;
  run: (argv: string[]) => Promise<number | undefined> | number | undefined;
}

/**
 * `program <command> [flags]`: runs the named command with the rest of argv. No command or an
 * unknown one is a usage error (with the closest command); `--help` prints `usage`; `--version`
 * prints `version`.
 */
export async function dispatch(options: {
  argv: readonly string[];
  usage: string;
  version: string;
  commands: Record<string, Subcommand>;
  io?: CliIo;
}): Promise<number | undefined> {
  const io = options.io ?? processIo;
  const [command, ...rest] = options.argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    io.stdout(`${options.usage}\n`);
    return 0;
  }
  if (command === '--version') {
    io.stdout(`${options.version}\n`);
    return 0;
  }
  const names = Object.keys(options.commands);
  if (command === undefined) throw new UsageError(`give a command: ${names.join(', ')}`);
  const found = Object.hasOwn(options.commands, command) ? options.commands[command] : undefined;
  if (!found) {
    throw new UsageError(
      `unknown command ${JSON.stringify(command)}; the commands are ${names.join(', ')}.${suggestion(command, names, '')}`,
    );
  }
  try {
    return await found.run(rest);
  } catch (error) {
    if (error instanceof UsageError) error.command ??= command;
    throw error;
  }
}
