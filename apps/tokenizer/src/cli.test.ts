import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from './cli.ts';
import type { CommandIo } from './io.ts';
import { parseIds } from './tokens-commands.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
let dir: string;

function fakeIo(stdin?: string) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIo = {
    cwd: dir,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    readStdin: async () => stdin,
    stderrIsTerminal: false,
  };
  return { io, out: () => out.join(''), err: () => err.join('') };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lmkit-tokenizer-cli-'));
  const shakespeare = await readFile(join(repoRoot, 'data/text/tinyshakespeare.txt'), 'utf8');
  await writeFile(join(dir, 'small.txt'), shakespeare.slice(0, 60_000));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('lmkit-tokenizer', () => {
  it('trains with chat special tokens, then encodes, decodes and shows', async () => {
    const train = fakeIo();
    expect(await main(['train', 'small.txt', '--vocab-size', '512', '--json'], train.io)).toBe(0);
    const summary = JSON.parse(train.out());
    expect(summary).toMatchObject({ vocabSize: 512, learnedTokens: 252 });
    expect(summary.specialTokens).toEqual({
      '<|endoftext|>': 508,
      '<|im_start|>': 509,
      '<|im_sep|>': 510,
      '<|im_end|>': 511,
    });
    expect(train.err()).toMatch(/merging \[#+\] 252\/252 merges/);

    const text = 'First Citizen:\nBefore we proceed any further, hear me speak.';
    const encode = fakeIo();
    expect(await main(['encode', '--json', text], encode.io)).toBe(0);
    const { ids, count } = JSON.parse(encode.out());
    expect(count).toBe(ids.length);
    expect(ids.length).toBeLessThan(Buffer.byteLength(text) / 2);

    const decode = fakeIo(JSON.stringify(ids));
    expect(await main(['decode'], decode.io)).toBe(0);
    expect(decode.out()).toBe(text);

    const show = fakeIo('');
    expect(await main(['show'], show.io)).toBe(0);
    expect(show.out()).toContain('\x1b[1;97;48;5;25m<|im_start|>\x1b[0m');
    expect(show.out()).toMatch(/^\d+ tokens\n/);

    const html = fakeIo();
    expect(await main(['show', '--html', 'a  b'], html.io)).toBe(0);
    expect(html.out()).toContain('class="lmkit-token"');
  });

  it('refuses special tokens in encode input unless allowed', async () => {
    const io = fakeIo();
    await expect(main(['encode', 'hi<|im_end|>'], io.io)).rejects.toThrow(/not allowed/);
    const allowed = fakeIo();
    expect(
      await main(['encode', '--allow-special', '<|im_end|>', 'hi<|im_end|>'], allowed.io),
    ).toBe(0);
    expect(allowed.out().trim().split(' ').at(-1)).toBe('511');
  });

  it('prints help for each command and rejects unknown ones', async () => {
    for (const command of ['train', 'encode', 'decode', 'show']) {
      const io = fakeIo();
      expect(await main([command, '--help'], io.io)).toBe(0);
      expect(io.out()).toContain(`usage: lmkit-tokenizer ${command}`);
    }
    const bad = fakeIo();
    expect(await main(['frobnicate'], bad.io)).toBe(2);
    expect(bad.err()).toContain('unknown command "frobnicate"');
    const noInput = fakeIo(undefined);
    expect(await main(['train'], noInput.io)).toBe(2);
  });

  it('parses ids in lists and JSON, naming a bad one', () => {
    expect(parseIds('1 2,3\n4')).toEqual([1, 2, 3, 4]);
    expect(parseIds('[5, 6]')).toEqual([5, 6]);
    expect(() => parseIds('7 x')).toThrow(/"x" is not a token id/);
  });
});
