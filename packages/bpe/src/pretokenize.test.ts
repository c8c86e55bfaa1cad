import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { awkwardString } from './__fixtures__/arbitraries.ts';
import { corpus } from './__fixtures__/reference.ts';
import { type BuiltinPatternName, patterns, resolvePattern } from './patterns.ts';
import { builtinSplitter, forEachPiece } from './pretokenize.ts';

const names: BuiltinPatternName[] = ['r50k_base', 'cl100k_base', 'o200k_base'];

function pieces(text: string, splitter: Parameters<typeof forEachPiece>[1]) {
  const out: string[] = [];
  forEachPiece(text, splitter, (s, e) => out.push(text.slice(s, e)));
  return out;
}

describe('hand-written pre-tokenizers', () => {
  for (const name of names) {
    const regex = new RegExp(patterns[name], 'gu');
    const splitter = builtinSplitter(name);

    it(`${name}: split exactly as the RegExp on random awkward strings`, () => {
      fc.assert(
        fc.property(awkwardString, (text) => {
          expect(pieces(text, splitter)).toEqual(pieces(text, regex));
        }),
        { seed: 20260101, numRuns: 3000 },
      );
    });

    it(`${name}: split exactly as the RegExp on Shakespeare, Chinese and code`, () => {
      for (const which of ['shakespeare', 'chinese', 'code'] as const) {
        const text = corpus(which);
        expect(pieces(text, splitter)).toEqual(pieces(text, regex));
      }
    });
  }

  it('splits o200k case runs and contractions like the reference', () => {
    const split = (t: string) => pieces(t, builtinSplitter('o200k_base'));
    expect(split("HELLOworld JOHN'S don't")).toEqual(['HELLOworld', " JOHN'S", " don't"]);
    expect(split('CamelCaseXML')).toEqual(['Camel', 'Case', 'XML']);
    expect(split('a/b\n//\n')).toEqual(['a', '/b', '\n', '//\n']);
  });
});

describe('resolvePattern', () => {
  it('maps tiktoken and minbpe spellings of cl100k_base to the built-in', () => {
    const minbpe = String.raw`'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]++[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+`;
    expect(resolvePattern(minbpe).builtin).toBe('cl100k_base');
    expect(resolvePattern('o200k_base').source).toBe(patterns.o200k_base);
  });

  it('rejects possessive quantifiers and invalid sources with the fix', () => {
    expect(() => resolvePattern(String.raw`\p{L}++`)).toThrow(/possessive.*built-in name/);
    expect(() => resolvePattern('(unclosed')).toThrow(/not a valid JavaScript RegExp/);
  });
});
