import { describe, expect, it } from 'vitest';
import { corpus } from './__fixtures__/reference.ts';
import { mergePieces } from './merge-pieces.ts';
import { builtinSplitter, forEachPiece } from './pretokenize.ts';
import { type TrainProgress, trainBpe } from './train.ts';

/** minbpe-style training by full recount after every merge, with the same tie-break. */
function naiveTrain(counts: Map<string, number>, merges: number): [number, number][] {
  const tokens = new Map<number, string>();
  for (let b = 0; b < 256; b++) tokens.set(b, String.fromCharCode(b));
  const byBytes = new Map([...tokens].map(([id, s]) => [s, id]));
  const words = [...counts].map(([piece, n]) => ({ ids: [...new TextEncoder().encode(piece)], n }));
  const out: [number, number][] = [];
  let nextId = 256;
  while (out.length < merges) {
    const stats = new Map<string, number>();
    for (const { ids, n } of words) {
      for (let i = 0; i + 1 < ids.length; i++) {
        const key = `${ids[i]},${ids[i + 1]}`;
        stats.set(key, (stats.get(key) ?? 0) + n);
      }
    }
    let best: [number, number] | undefined;
    let bestCount = 0;
    for (const [key, count] of stats) {
      const [a, b] = key.split(',').map(Number);
      if (
        count > bestCount ||
        (count === bestCount && best && (a < best[0] || (a === best[0] && b < best[1])))
      ) {
        best = [a, b];
        bestCount = count;
      }
    }
    if (!best) break;
    const bytes = tokens.get(best[0])! + tokens.get(best[1])!;
    let id = byBytes.get(bytes);
    if (id === undefined) {
      id = nextId++;
      tokens.set(id, bytes);
      byBytes.set(bytes, id);
      out.push(best);
    }
    for (const word of words) {
      const merged: number[] = [];
      for (let i = 0; i < word.ids.length; i++) {
        if (i + 1 < word.ids.length && word.ids[i] === best[0] && word.ids[i + 1] === best[1]) {
          merged.push(id);
          i++;
        } else merged.push(word.ids[i]);
      }
      word.ids = merged;
    }
  }
  return out;
}

describe('trainBpe', () => {
  it("reproduces minbpe's known answer: 'aaabdaaabac', 3 merges → [258, 100, 258, 97, 99]", async () => {
    const t = await trainBpe({ texts: ['aaabdaaabac'], vocabSize: 259 });
    expect(t.encode('aaabdaaabac')).toEqual([258, 100, 258, 97, 99]);
    expect(t.vocabSize).toBe(259);
  });

  it('makes the same merges as a full recount after every merge (incremental counts are exact)', () => {
    const text = corpus('shakespeare').slice(0, 30_000) + corpus('chinese').slice(0, 3_000);
    const counts = new Map<string, number>();
    forEachPiece(text, builtinSplitter('cl100k_base'), (s, e) => {
      const piece = text.slice(s, e);
      counts.set(piece, (counts.get(piece) ?? 0) + 1);
    });
    expect(mergePieces(counts, 150).merges).toEqual(naiveTrain(counts, 150));
  });

  it('is deterministic, streams async iterables, and reports progress', async () => {
    const docs = corpus('shakespeare').slice(0, 80_000).split('\n\n');
    async function* stream() {
      for (const doc of docs) yield doc;
    }
    const seen: TrainProgress[] = [];
    const a = await trainBpe({ texts: stream(), vocabSize: 600, onProgress: (p) => seen.push(p) });
    const b = await trainBpe({ texts: docs, vocabSize: 600 });
    expect(JSON.stringify(a.toJSON())).toBe(JSON.stringify(b.toJSON()));
    expect(seen.at(-1)).toMatchObject({ phase: 'done', merges: 344, documents: docs.length });
    expect(seen.some((p) => p.phase === 'merge')).toBe(true);
  });

  it('reserves special tokens: last ids, never learned from their spellings in the text', async () => {
    const text = '<|endoftext|>'.repeat(200) + 'hello world '.repeat(50);
    const t = await trainBpe({
      texts: [text],
      vocabSize: 300,
      specialTokens: ['<|endoftext|>', '<|im_end|>'],
    });
    expect(t.specialTokenId('<|endoftext|>')).toBe(298);
    expect(t.specialTokenId('<|im_end|>')).toBe(299);
    const learned = Array.from({ length: t.ranks.size - 256 }, (_, i) =>
      new TextDecoder().decode(t.tokenToBytes(256 + i)),
    );
    expect(learned.some((s) => s.includes('|'))).toBe(false);
    expect(learned).toContain(' world');
  });

  it('rejects vocabularies too small for the bytes and special tokens', async () => {
    await expect(
      trainBpe({ texts: ['x'], vocabSize: 257, specialTokens: ['<|a|>', '<|b|>'] }),
    ).rejects.toThrow(/vocabSize 257 is below 258 \(256 byte tokens \+ 2 special tokens\)/);
  });
});
