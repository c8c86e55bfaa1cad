import { describe, expect, it } from 'vitest';
import type { Document } from './document.ts';
import { CrawlerFiltersError } from './errors.ts';
import { collectInto, pipe, type RemovedDocument, runPipeline } from './pipeline.ts';
import { defineStage, filterStage, transformStage } from './stage.ts';

const docs = (n: number): Document[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `d${i}`,
    text: `document number ${i}`,
    metadata: {},
  }));

async function* from(items: Document[]) {
  yield* items;
}

describe('pipe', () => {
  it('counts kept and dropped per reason and stage, and the counts add up', async () => {
    const out: Document[] = [];
    const evens = filterStage({
      name: 'evens',
      filter: (d) =>
        Number(d.id.slice(1)) % 2 === 0 ? { keep: true } : { keep: false, reason: 'odd' },
    });
    const small = filterStage({
      name: 'small',
      filter: (d) => (Number(d.id.slice(1)) < 6 ? { keep: true } : { keep: false, reason: 'big' }),
    });
    const stats = await pipe(from(docs(10)), evens, small, collectInto(out));
    expect(out.map((d) => d.id)).toEqual(['d0', 'd2', 'd4']);
    expect(stats.read).toBe(10);
    expect(stats.kept).toBe(3);
    expect(stats.dropped).toBe(7);
    expect(stats.stages.map((s) => [s.stage, s.read, s.kept])).toEqual([
      ['read', 10, 10],
      ['evens', 10, 5],
      ['small', 5, 3],
    ]);
    expect(stats.stages[1].dropped).toEqual({ odd: 5 });
    expect(stats.stages[2].dropped).toEqual({ big: 2 });
  });

  it('counts a throwing filter as an error with its reason, and the run goes on', async () => {
    const removed: RemovedDocument[] = [];
    const flaky = filterStage({
      name: 'flaky',
      filter: (d) => {
        if (d.id === 'd1') throw new CrawlerFiltersError('bad-doc', 'd1 is bad');
        if (d.id === 'd2') throw new Error('boom');
        return { keep: true };
      },
    });
    const stats = await runPipeline({
      source: from(docs(4)),
      stages: [flaky],
      sink: collectInto([]),
      onRemoved: (r) => removed.push(r),
    });
    expect(stats.stages[1].errored).toEqual({ 'bad-doc': 1, 'unexpected-error': 1 });
    expect(stats.kept + stats.errored).toBe(4);
    expect(removed.map((r) => [r.doc.id, r.kind, r.reason, r.detail])).toEqual([
      ['d1', 'errored', 'bad-doc', 'd1 is bad'],
      ['d2', 'errored', 'unexpected-error', 'boom'],
    ]);
  });

  it('transform stages rewrite documents and may drop them', async () => {
    const out: Document[] = [];
    const upper = transformStage({
      name: 'upper',
      transform: (d) =>
        d.id === 'd0' ? { keep: false, reason: 'first' } : { ...d, text: d.text.toUpperCase() },
    });
    const stats = await pipe(from(docs(2)), upper, collectInto(out));
    expect(out).toEqual([{ id: 'd1', text: 'DOCUMENT NUMBER 1', metadata: {} }]);
    expect(stats.stages[1].dropped).toEqual({ first: 1 });
  });

  it('counts errors a source reports as read-stage errors', async () => {
    const source = async function* (context: import('./stage.ts').StageContext) {
      yield docs(1)[0];
      context.error({ id: 'broken', text: '', metadata: {} }, 'truncated-gzip');
      yield docs(2)[1];
    };
    const stats = await pipe(source, collectInto([]));
    expect(stats.read).toBe(3);
    expect(stats.kept).toBe(2);
    expect(stats.stages[0].errored).toEqual({ 'truncated-gzip': 1 });
  });

  it('fails the run when a stage loses documents without reporting them', async () => {
    const lossy = defineStage('lossy', async function* (input) {
      for await (const d of input) if (d.id !== 'd1') yield d;
    });
    await expect(pipe(from(docs(3)), lossy, collectInto([]))).rejects.toThrow(
      /stage "lossy" read 3 documents but accounted for 2/,
    );
  });

  it('fails the run when a stage stops reading its input early', async () => {
    const firstOnly = defineStage('first-only', async function* (input) {
      for await (const d of input) {
        yield d;
        return;
      }
    });
    await expect(pipe(from(docs(3)), firstOnly, collectInto([]))).rejects.toThrow(
      /output of "read" was not read to the end/,
    );
  });

  it('names plain transforms by position and reports progress', async () => {
    const seen: number[] = [];
    const identity = async function* (input: AsyncIterable<Document>) {
      yield* input;
    };
    let clock = 0;
    const stats = await runPipeline({
      source: from(docs(5)),
      stages: [identity],
      sink: collectInto([]),
      progressEvery: 2,
      now: () => (clock += 10),
      onProgress: (p) => seen.push(p.read),
    });
    expect(stats.stages[1].stage).toBe('stage-1');
    expect(seen).toEqual([2, 4, 5]);
  });
});
