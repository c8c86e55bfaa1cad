// Per-stage time, bytes and tokens in the run stats: time is each stage's own (a slow source is
// not charged to the filters after it), bytes are UTF-8 bytes of `text`, tokens come from the
// counter the run is given and each document object is counted once.
import { describe, expect, it } from 'vitest';
import type { Document } from './document.ts';
import { collectInto, runPipeline } from './pipeline.ts';
import { filterStage, transformStage } from './stage.ts';

const texts = ['héllo wörld', 'a b c', 'naïve café au lait', 'x'];

describe('run stats per stage', () => {
  it('reports each stage its own time, the bytes read and kept, and the tokens kept', async () => {
    let clock = 0;
    async function* source() {
      for (const [index, text] of texts.entries()) {
        clock += 1; // reading costs 1 per document
        yield { id: `d${index}`, text, metadata: {} } as Document;
      }
    }
    const slowFilter = filterStage({
      name: 'slow-filter',
      filter: (doc) => {
        clock += 5; // the filter costs 5 per document
        return doc.text.length > 1 ? { keep: true } : { keep: false, reason: 'too-short' };
      },
    });
    const upper = transformStage({
      name: 'upper',
      transform: (doc) => ({ ...doc, text: doc.text.toUpperCase() }),
    });
    const counted: string[] = [];
    const out: Document[] = [];
    const stats = await runPipeline({
      source: source(),
      stages: [slowFilter, upper],
      sink: collectInto(out),
      now: () => clock,
      countTokens: (text) => {
        counted.push(text);
        return text.split(' ').length;
      },
    });
    const [read, filter, transform] = stats.stages;
    expect([read.durationMs, filter.durationMs, transform.durationMs]).toEqual([4, 20, 0]);
    const bytes = (list: string[]) => list.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
    expect(read).toMatchObject({
      readBytes: bytes(texts),
      keptBytes: bytes(texts),
      keptTokens: 2 + 3 + 4 + 1,
    });
    expect(filter).toMatchObject({
      readBytes: bytes(texts),
      keptBytes: bytes(texts.slice(0, 3)),
      keptTokens: 9,
    });
    expect(transform).toMatchObject({
      keptBytes: bytes(texts.slice(0, 3).map((t) => t.toUpperCase())),
      keptTokens: 9,
    });
    // The filter passed the same objects on: each counted once; the transform made new ones.
    expect(counted.sort()).toEqual(
      [...texts, ...texts.slice(0, 3).map((t) => t.toUpperCase())].sort(),
    );
  });

  it('leaves tokens out without a counter', async () => {
    const stats = await runPipeline({
      source: (async function* () {})(),
      stages: [],
      sink: collectInto([]),
    });
    expect(stats.stages[0]).not.toHaveProperty('keptTokens');
    expect(stats.stages[0]).toMatchObject({ readBytes: 0, keptBytes: 0 });
  });
});
