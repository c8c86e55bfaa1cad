// The whole part-1 recipe on a WARC built from real pages plus broken records: every document is
// accounted for, survivors are English main text, and each stage's reasons are recorded.
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Document } from './document.ts';
import { collectInto, type RemovedDocument, runPipeline } from './pipeline.ts';
import { buildWarc } from './read/build-warc.ts';
import { documentSource } from './read/read-documents.ts';
import { createStages, fineWebStageRegistry } from './stage-registry.ts';

const pages = fileURLToPath(new URL('../../../data/html/readability/', import.meta.url));
const NAMES = [
  '001',
  'ars-1',
  'bbc-1',
  'lemonde-1',
  'mozilla-1',
  'nytimes-2',
  'wikipedia',
  'wapo-1',
];

describe('FineWeb part-1 pipeline', () => {
  it('runs every stage over a WARC of real pages and the counts add up', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fineweb-'));
    const path = join(dir, 'pages.warc.gz');
    await buildWarc({
      path,
      records: [
        ...NAMES.map((name) => ({
          url: `https://news.example/${name}`,
          body: readFileSync(`${pages}${name}/source.html`, 'utf8'),
        })),
        { url: 'https://pornhub.com/video', body: readFileSync(`${pages}001/source.html`, 'utf8') },
        { url: 'https://bad.example/empty', body: '' },
      ],
    });
    const kept: Document[] = [];
    const removed: RemovedDocument[] = [];
    const stages = await createStages();
    expect(stages.map((s) => s.stageName)).toEqual(Object.keys(fineWebStageRegistry));
    const stats = await runPipeline({
      source: documentSource({ paths: [path] }),
      stages,
      sink: collectInto(kept),
      onRemoved: (r) => removed.push(r),
    });
    expect(stats.read).toBe(10);
    expect(stats.read).toBe(stats.kept + stats.dropped + stats.errored);
    expect(removed).toHaveLength(stats.dropped + stats.errored);
    expect(stats.stages.find((s) => s.stage === 'read')?.errored).toEqual({ 'empty-record': 1 });
    expect(stats.stages.find((s) => s.stage === 'url')?.dropped).toEqual({ domain: 1 });
    expect(removed.find((r) => r.doc.url === 'https://news.example/lemonde-1')?.reason).toBe(
      'language:fra',
    );
    expect(kept.length).toBeGreaterThanOrEqual(2);
    for (const doc of kept) {
      expect(doc.metadata.language).toBe('eng');
      expect(doc.html).toBeUndefined();
      expect(doc.text).not.toMatch(/<\/?(p|div|script)\b/);
    }
  });

  it('builds only the named stages and names an unknown one', async () => {
    expect(
      (await createStages({ names: ['language', 'gopher_quality'] })).map((s) => s.stageName),
    ).toEqual(['language', 'gopher_quality']);
    await expect(createStages({ names: ['minhash'] })).rejects.toThrow(
      /unknown stage "minhash"; known stages: url, extract/,
    );
  });
});
