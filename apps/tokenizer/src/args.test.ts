// lmkit-tokenizer's flag limits through main(): an absurd or impossible vocabulary size, a typo'd
// flag or a missing input is one line naming the flag (exit 2), and no tokenizer is written.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorReport } from '@lmkit/cli-kit';
import { describe, expect, it } from 'vitest';
import { main } from './cli.ts';
import type { CommandIo } from './io.ts';

function fakeIo(cwd: string) {
  let err = '';
  const io: CommandIo = {
    cwd,
    stdout: () => {},
    stderr: (t) => {
      err += t;
    },
    readStdin: async () => 'some text to train on',
    stderrIsTerminal: false,
  };
  return { io, err: () => err };
}

describe('lmkit-tokenizer flags', () => {
  it.each([
    [['train', '--vocab-size', '1000000000'], /--vocab-size 1000000000: must be at most 1048576/],
    [['train', '--vocab-size', '0'], /--vocab-size 0: must be at least 257/],
    [
      ['train', '--vocab-size', 'abc'],
      /--vocab-size abc: must be a finite number \(e\.g\. --vocab-size 4096\)/,
    ],
    [
      ['train', '--vocab-size', '258'],
      /--vocab-size 258: must be at least 260 \(256 byte tokens \+ 4 special tokens\)/,
    ],
    [['train', '--vocab-sise', '300'], /unknown flag --vocab-sise\. Did you mean --vocab-size\?/],
    [
      ['encode', '--allow-specials', 'all', 'hi'],
      /unknown flag --allow-specials\. Did you mean --allow-special\?/,
    ],
  ])('%j → exit 2 with one line', async (argv, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'tokenizer-args-'));
    const io = fakeIo(dir);
    expect(await main(argv, io.io)).toBe(2);
    expect(io.err()).toMatch(message);
    expect(io.err()).toMatch(/Run `lmkit-tokenizer (train|encode) --help`/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a missing input file is one sentence with the path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokenizer-args-'));
    const error = await main(['train', 'missing.txt'], fakeIo(dir).io).catch((e: unknown) => e);
    expect(errorReport('lmkit-tokenizer', error, 'message')).toEqual({
      code: 1,
      text: `lmkit-tokenizer: ${join(dir, 'missing.txt')} does not exist; check the path (relative paths start at the directory you ran the command in)\n`,
    });
  });
});
