import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { awkwardString, wellFormedString } from './__fixtures__/arbitraries.ts';
import { ourTokenizer, referenceTokenizer } from './__fixtures__/reference.ts';
import { BpeError } from './errors.ts';
import { Tokenizer } from './tokenizer.ts';

describe('Tokenizer', () => {
  it('round-trips every well-formed string: decode(encode(s)) === s', async () => {
    const t = await ourTokenizer('cl100k_base');
    fc.assert(
      fc.property(wellFormedString, (s) => {
        expect(t.decode(t.encodeOrdinary(s))).toBe(s);
      }),
      { seed: 11, numRuns: 1500 },
    );
  });

  it('decodeBytes reassembles the bytes of any id sequence, splitting characters freely', async () => {
    const t = await ourTokenizer('o200k_base');
    const ids = fc.array(fc.integer({ min: 0, max: 199_997 }), { maxLength: 30 });
    fc.assert(
      fc.property(ids, (list) => {
        const expected = Buffer.concat(list.map((id) => t.tokenToBytes(id)));
        expect(Buffer.from(t.decodeBytes(list)).equals(expected)).toBe(true);
      }),
      { seed: 5, numRuns: 500 },
    );
    const euro = t.encodeOrdinary('€');
    expect(t.decodeBytes(t.encodeOrdinary('€'))).toEqual(Uint8Array.of(0xe2, 0x82, 0xac));
    expect(euro.length).toBeGreaterThanOrEqual(1);
  });

  it('encodes lone surrogates as U+FFFD bytes, like TextEncoder', async () => {
    const t = await ourTokenizer('cl100k_base');
    fc.assert(
      fc.property(awkwardString, (s) => {
        expect(Buffer.from(t.decodeBytes(t.encodeOrdinary(s)))).toEqual(
          Buffer.from(new TextEncoder().encode(s)),
        );
      }),
      { seed: 13, numRuns: 500 },
    );
  });

  it('refuses special tokens spelled in text unless allowed; encodeOrdinary never yields them', async () => {
    const t = await ourTokenizer('cl100k_base');
    const text = 'hi<|endoftext|>there';
    expect(() => t.encode(text)).toThrow(BpeError);
    expect(() => t.encode(text)).toThrow(/<\|endoftext\|> at offset 2.*allowedSpecial/);
    expect(t.encode(text, { allowedSpecial: ['<|endoftext|>'] })).toEqual(
      referenceTokenizer('cl100k_base').encode(text, ['<|endoftext|>']),
    );
    expect(t.encode(text, { allowedSpecial: new Set(['<|endoftext|>']) })).toContain(100257);
    expect(t.encode(text, { allowedSpecial: 'all' })).toContain(100257);
    expect(() => t.encode('<|fim_prefix|>', { allowedSpecial: ['<|endoftext|>'] })).toThrow(
      /<\|fim_prefix\|>/,
    );
    expect(t.encodeOrdinary(text)).not.toContain(100257);
    expect(t.decode(t.encodeOrdinary(text))).toBe(text);
    expect(() => t.encode('x', { allowedSpecial: ['<|im_start|>'] })).toThrow(
      /not a special token/,
    );
  });

  it('adds special tokens past the vocabulary and finds them by name', async () => {
    const base = await ourTokenizer('cl100k_base');
    const t = base.withSpecialTokens(['<|im_start|>', '<|im_sep|>', '<|im_end|>', '<|endoftext|>']);
    expect(base.vocabSize).toBe(100277);
    expect(t.specialTokenId('<|im_start|>')).toBe(100277);
    expect(t.specialTokenId('<|im_end|>')).toBe(100279);
    expect(t.specialTokenId('<|endoftext|>')).toBe(100257);
    expect(t.vocabSize).toBe(100280);
    const ids = t.encode('<|im_start|>user<|im_sep|>hi<|im_end|>', { allowedSpecial: 'all' });
    expect(ids[0]).toBe(100277);
    expect(t.decode(ids)).toBe('<|im_start|>user<|im_sep|>hi<|im_end|>');
    expect(t.tokenToBytes(100278)).toEqual(new TextEncoder().encode('<|im_sep|>'));
    expect(base.specialTokenId('<|im_start|>')).toBeUndefined();
  });

  it('names the id and the valid ranges for ids out of the vocabulary', async () => {
    const t = await ourTokenizer('r50k_base');
    expect(() => t.decode([1, 2, 50257])).toThrow(
      /id 50257 at position 2 is not in the vocabulary.*0\.\.50255.*50256/,
    );
    expect(() => t.tokenToBytes(-1)).toThrow(/id -1/);
  });

  it('rejects vocabularies without all 256 bytes, and special ids that collide', () => {
    const bytes = Array.from({ length: 256 }, (_, b) => Uint8Array.of(b));
    expect(() => new Tokenizer({ pattern: 'cl100k_base', ranks: bytes.slice(0, 255) })).toThrow(
      /byte 0xff has no rank/,
    );
    expect(
      () => new Tokenizer({ pattern: 'cl100k_base', ranks: bytes, specialTokens: { '<|x|>': 5 } }),
    ).toThrow(/id 5, which is already the rank/);
    expect(
      () =>
        new Tokenizer({
          pattern: 'cl100k_base',
          ranks: bytes,
          specialTokens: { '<|x|>': 300, '<|y|>': 300 },
        }),
    ).toThrow(/share id 300/);
    expect(
      () => new Tokenizer({ pattern: 'r50k_base', ranks: [...bytes, Uint8Array.of(7)] }),
    ).toThrow(/ranks 7 and 256 have the same bytes/);
  });

  it('encodes with a user RegExp pattern, dropping unmatched text as tiktoken does', () => {
    const bytes = Array.from({ length: 256 }, (_, b) => Uint8Array.of(b));
    const t = new Tokenizer({
      pattern: /[a-z]+/gu,
      ranks: [...bytes, new TextEncoder().encode('ab')],
    });
    expect(t.encodeOrdinary('ab, cab!')).toEqual([256, 99, 256]);
  });
});
