import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpus, gptTokenizerData, ourTokenizer } from './__fixtures__/reference.ts';
import {
  formatTiktoken,
  loadTiktokenFile,
  parseTiktoken,
  saveTiktokenFile,
} from './tiktoken-file.ts';
import { Tokenizer } from './tokenizer.ts';
import { loadTokenizer, saveTokenizer, tokenizerFromJSON } from './tokenizer-file.ts';
import { trainBpe } from './train.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lmkit-bpe-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('tiktoken rank files', () => {
  it('writes r50k_base back byte for byte', async () => {
    const original = await readFile(join(gptTokenizerData, 'r50k_base.tiktoken'), 'utf8');
    const t = await ourTokenizer('r50k_base');
    const path = join(dir, 'r50k.tiktoken');
    await saveTiktokenFile(t, path);
    expect(await readFile(path, 'utf8')).toBe(original);
    const again = await loadTiktokenFile(path, { pattern: 'r50k_base' });
    expect(again.specialTokenId('<|endoftext|>')).toBe(50256);
    expect(again.encode('hello world')).toEqual(t.encode('hello world'));
  });

  it('names the line of a malformed entry, a repeated rank or a repeated token', () => {
    expect(() => parseTiktoken('IQ== 0\nnot-base64! 1\n', 'x.tiktoken')).toThrow(
      /x\.tiktoken line 2: "not-base64! 1" is not "base64 rank"/,
    );
    expect(() => parseTiktoken('IQ== 0\nIg==\n')).toThrow(/line 2/);
    expect(() => parseTiktoken('IQ== 0\nIg== 0\n')).toThrow(/line 2: rank 0 appears twice/);
    expect(() => parseTiktoken('IQ== 9999999\n')).toThrow(/rank 9999999 exceeds the limit 2097151/);
    const bytes = Array.from({ length: 256 }, (_, b) => Uint8Array.of(b));
    const text = `${formatTiktoken(bytes)}IQ== 256\n`;
    expect(() => new Tokenizer({ pattern: 'r50k_base', ranks: parseTiktoken(text) })).toThrow(
      /ranks 33 and 256 have the same bytes IQ==/,
    );
  });
});

describe('JSON tokenizer file', () => {
  it('round-trips a trained tokenizer exactly (JSON, encodings, special tokens)', async () => {
    const t = await trainBpe({
      texts: [corpus('shakespeare').slice(0, 40_000)],
      vocabSize: 400,
      specialTokens: ['<|endoftext|>', '<|im_start|>'],
    });
    const path = join(dir, 'tokenizer.json');
    await saveTokenizer(t, path);
    const loaded = await loadTokenizer(path);
    expect(JSON.stringify(loaded.toJSON())).toBe(JSON.stringify(t.toJSON()));
    expect(loaded.vocabSize).toBe(400);
    expect(loaded.specialTokenId('<|im_start|>')).toBe(399);
    const sample = corpus('shakespeare').slice(50_000, 52_000);
    expect(loaded.encode(sample)).toEqual(t.encode(sample));
    // merges alone rebuild the same ranks
    const { ranks: _ranks, ...mergesOnly } = t.toJSON();
    expect(Tokenizer.fromJSON(mergesOnly).toJSON()).toEqual(t.toJSON());
  });

  it('round-trips cl100k_base with its built-in pattern and special tokens', async () => {
    const t = await ourTokenizer('cl100k_base');
    const json = t.toJSON();
    const back = Tokenizer.fromJSON(JSON.parse(JSON.stringify(json)));
    expect(back.patternName).toBe('cl100k_base');
    expect(back.toJSON()).toEqual(json);
  });

  it('names the field and value of a bad file', async () => {
    const good = (await trainBpe({ texts: ['abcabc'], vocabSize: 258 })).toJSON();
    expect(() => tokenizerFromJSON({ ...good, version: 9 })).toThrow(
      /version is 9; this reader supports version 1/,
    );
    expect(() => tokenizerFromJSON({ ...good, format: 'x' })).toThrow(/format is "x"/);
    expect(() => tokenizerFromJSON({ ...good, ranks: ['@@'] })).toThrow(/ranks\[0\] is "@@"/);
    expect(() => tokenizerFromJSON({ ...good, ranks: undefined, merges: [[0, 999]] })).toThrow(
      /merges\[0\] is \[0,999\]; each merge is \[left, right\] with ids below 256/,
    );
    expect(() => tokenizerFromJSON({ ...good, specialTokens: { '<|x|>': -1 } })).toThrow(
      /specialTokens\["<\|x\|>"\] is -1/,
    );
    await writeFile(join(dir, 'bad.json'), '{');
    await expect(loadTokenizer(join(dir, 'bad.json'))).rejects.toThrow(
      /cannot read tokenizer file/,
    );
  });
});
