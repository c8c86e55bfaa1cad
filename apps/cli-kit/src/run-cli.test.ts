import { describe, expect, it } from 'vitest';
import { TrainerLikeError } from './run-cli.test-helpers.ts';
import { cliExitCode, dispatch } from './run-cli.ts';
import { UsageError } from './usage-error.ts';

function capture() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: (t: string) => {
        out.stdout += t;
      },
      stderr: (t: string) => {
        out.stderr += t;
      },
    },
  };
}

const commands = {
  run: {
    summary: 'run it',
    run: () => {
      throw new UsageError('--x 0: must be at least 1');
    },
  },
};

describe('cliExitCode and dispatch', () => {
  it.each([
    [
      ['rnu'],
      2,
      'tool: unknown command "rnu"; the commands are run. Did you mean run?\nRun `tool --help` for the flags.\n',
    ],
    [['run'], 2, 'tool: --x 0: must be at least 1\nRun `tool run --help` for the flags.\n'],
    [[], 2, 'tool: give a command: run\nRun `tool --help` for the flags.\n'],
  ])('%j exits %i with one line', async (argv, code, stderr) => {
    const { out, io } = capture();
    const status = await cliExitCode({
      name: 'tool',
      io,
      main: () => dispatch({ argv, usage: 'usage', version: 'tool 1.0.0', commands, io }),
    });
    expect({ status, stderr: out.stderr }).toEqual({ status: code, stderr });
  });

  it('prints --version and --help on stdout, lmkit and file errors as one line, bugs with a stack', async () => {
    const { out, io } = capture();
    expect(
      await cliExitCode({
        name: 'tool',
        io,
        main: () =>
          dispatch({ argv: ['--version'], usage: 'u', version: 'tool 1.0.0', commands, io }),
      }),
    ).toBe(0);
    expect(out.stdout).toBe('tool 1.0.0\n');
    expect(
      await cliExitCode({
        name: 'tool',
        io,
        main: () => {
          throw new TrainerLikeError('batch too big; lower --batch-size');
        },
      }),
    ).toBe(1);
    expect(out.stderr).toBe('tool: batch too big; lower --batch-size\n');
    out.stderr = '';
    const enoent = Object.assign(new Error('ENOENT'), {
      code: 'ENOENT',
      syscall: 'open',
      path: 'a.txt',
    });
    expect(
      await cliExitCode({
        name: 'tool',
        io,
        main: () => {
          throw enoent;
        },
      }),
    ).toBe(1);
    expect(out.stderr).toBe(
      'tool: a.txt does not exist; check the path (relative paths start at the directory you ran the command in)\n',
    );
    out.stderr = '';
    expect(
      await cliExitCode({
        name: 'tool',
        io,
        main: () => {
          throw new TypeError('x is undefined');
        },
      }),
    ).toBe(1);
    expect(out.stderr).toMatch(
      /^tool: unexpected error \(please report it\):\nTypeError: x is undefined\n\s+at /,
    );
  });
});
