// The speedrun end to end on its smallest preset: every stage's outputs exist and agree with each
// other, training lowers the loss, the report has its plots, and a rerun skips every stage.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '@lmkit/app-speedrun';
import { readShard } from '@lmkit/datasets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface Marker {
  stage: string;
  finishedAt: string;
  stats: Record<string, unknown>;
}

const outDir = mkdtempSync(join(tmpdir(), 'lmkit-speedrun-'));
const marker = (stage: string) =>
  JSON.parse(readFileSync(join(outDir, stage, 'done.json'), 'utf8')) as Marker;

beforeAll(async () => {
  expect(await main(['--preset', 'tiny', '--out', outDir])).toBe(0);
}, 600_000);

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('speedrun --preset tiny', () => {
  it('crawls the shipped pages into WARC files and filters them with counts that add up', () => {
    const crawl = marker('crawl').stats;
    expect(crawl.pages).toBe(24);
    expect(readdirSync(join(outDir, 'crawl')).filter((f) => f.endsWith('.warc.gz'))).toHaveLength(
      3,
    );
    const filter = marker('filter').stats as {
      read: number;
      kept: number;
      dropped: number;
      errored: number;
      stages: {
        stage: string;
        read: number;
        kept: number;
        dropped: Record<string, number>;
        errored: Record<string, number>;
      }[];
    };
    expect(filter.read).toBeGreaterThanOrEqual(24);
    expect(filter.kept).toBeGreaterThan(0);
    expect(filter.read).toBe(filter.kept + filter.dropped + filter.errored);
    for (const stage of filter.stages) {
      const removed = [...Object.values(stage.dropped), ...Object.values(stage.errored)].reduce(
        (a, b) => a + b,
        0,
      );
      expect(stage.read, stage.stage).toBe(stage.kept + removed);
    }
  });

  it('trains a tokenizer with the chat markers and writes shards that read back', async () => {
    const tokenizer = JSON.parse(readFileSync(join(outDir, 'tokenizer', 'tokenizer.json'), 'utf8'));
    const text = JSON.stringify(tokenizer);
    for (const marker of ['<|endoftext|>', '<|im_start|>', '<|im_sep|>', '<|im_end|>'])
      expect(text).toContain(marker);
    const shards = marker('shards').stats as { tokens: number; val: string[]; train: string[] };
    expect(shards.val).toHaveLength(1);
    expect(shards.train.length).toBeGreaterThan(0);
    let total = 0;
    for (const path of [...shards.val, ...shards.train]) {
      const shard = await readShard(join(outDir, path)); // stats paths are run-relative
      expect(shard.version).toBe(1);
      expect(Math.max(...shard.tokens)).toBeLessThan(512);
      total += shard.tokens.length;
    }
    expect(total).toBe(shards.tokens);
  });

  it('lowers the validation loss by pre-training and keeps a chat model folder', () => {
    const evaluation = marker('eval').stats as {
      bitsPerByte: Record<string, { bitsPerByte: number }>;
      chatSamples: unknown[];
      baseSamples: unknown[];
    };
    expect(evaluation.bitsPerByte.base.bitsPerByte).toBeLessThan(
      evaluation.bitsPerByte.untrained.bitsPerByte,
    );
    expect(evaluation.chatSamples.length).toBeGreaterThan(0);
    expect(evaluation.baseSamples.length).toBeGreaterThan(0);
    for (const file of ['config.json', 'model.safetensors', 'tokenizer.json', 'manifest.json']) {
      expect(existsSync(join(outDir, 'chat-model', file)), file).toBe(true);
    }
  });

  it('writes the report with loss plots and samples', () => {
    const html = readFileSync(join(outDir, 'report', 'report.html'), 'utf8');
    expect(html.match(/<svg/g)?.length).toBeGreaterThanOrEqual(2);
    expect(html).toContain('Samples from the chat model');
    const png = readFileSync(join(outDir, 'report', 'pretrain-loss.png'));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(readFileSync(join(outDir, 'report', 'report.md'), 'utf8')).toContain(
      '![pre-training loss]',
    );
  });

  it('skips every finished stage on a rerun', async () => {
    const before = readdirSync(outDir)
      .filter((d) => existsSync(join(outDir, d, 'done.json')))
      .map((d) => marker(d));
    expect(before).toHaveLength(8);
    expect(await main(['--preset', 'tiny', '--out', outDir])).toBe(0);
    for (const m of before) expect(marker(m.stage).finishedAt, m.stage).toBe(m.finishedAt);
  });
});
