// What the commands read and write, passed in so tests run them without a subprocess: output
// streams, stdin, the working directory. `processIo()` binds them to this process.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

export interface CommandIo {
  /** Directory that relative paths are resolved against (the caller's, under `pnpm`). */
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whole standard input; undefined when stdin is a terminal (nothing piped). */
  readStdin: () => Promise<string | undefined>;
  /** Whether stderr is a terminal (the progress bar redraws one line). */
  stderrIsTerminal: boolean;
}

export function processIo(): CommandIo {
  return {
    cwd: process.env.INIT_CWD ?? process.cwd(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readStdin: async () => {
      if (process.stdin.isTTY) return undefined;
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    stderrIsTerminal: Boolean(process.stderr.isTTY),
  };
}

/** Text from positional arguments, else from `--file` paths, else from stdin; undefined if none. */
export async function readInput(
  io: CommandIo,
  positionals: string[],
  files: string[] | undefined,
): Promise<string | undefined> {
  if (positionals.length > 0) return positionals.join(' ');
  if (files && files.length > 0) {
    const texts = await Promise.all(files.map((f) => readFile(resolve(io.cwd, f), 'utf8')));
    return texts.join('');
  }
  return io.readStdin();
}
