// The speedrun end to end on its smallest preset: every stage's outputs exist and agree with each
// other, training lowers the loss, the preference stage writes an aligned model, the report has
// its plots and the per-model evaluation table, and a rerun skips every stage.
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

  it('trains a tokenizer without the chat markers (SFT adds them) and writes shards that read back', async () => {
    const tokenizer = JSON.parse(readFileSync(join(outDir, 'tokenizer', 'tokenizer.json'), 'utf8'));
    expect(Object.keys(tokenizer.specialTokens)).toEqual(['<|endoftext|>']);
    const chat = JSON.parse(readFileSync(join(outDir, 'chat-model', 'tokenizer.json'), 'utf8'));
    for (const marker of ['<|endoftext|>', '<|im_start|>', '<|im_sep|>', '<|im_end|>'])
      expect(Object.keys(chat.specialTokens)).toContain(marker);
    const config = JSON.parse(readFileSync(join(outDir, 'chat-model', 'config.json'), 'utf8'));
    expect(Math.max(...(Object.values(chat.specialTokens) as number[]))).toBeLessThan(
      config.vocab_size ?? config.vocabSize,
    );
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

  it('truncates long SFT conversations at a turn boundary and counts what it skipped', () => {
    const sft = marker('sft').stats as Record<string, number>;
    expect(sft.truncatedTooLong).toBeGreaterThan(0);
    expect(sft.cutReplies).toBeLessThanOrEqual(sft.truncatedTooLong);
    expect(sft.skippedTooLong).toBeGreaterThanOrEqual(0);
    expect(sft.chatVocabSize).toBe(sft.baseVocabSize + 5);
  });

  it('lowers held-out bits per byte by pre-training and scores every model beside chance', () => {
    type Score = { value: number; chance: number; count: number };
    const evaluation = marker('eval').stats as {
      models: Record<string, Record<string, Score | undefined>>;
      rewardModel: { preferenceAccuracy: Score };
      chatSamples: unknown[];
      alignedSamples: unknown[];
      baseSamples: unknown[];
    };
    const { untrained, base, sft, aligned } = evaluation.models;
    expect(base.shakespeareBitsPerByte!.value).toBeLessThan(
      untrained.shakespeareBitsPerByte!.value,
    );
    expect(untrained.shakespeareBitsPerByte!.chance).toBeGreaterThan(0);
    for (const model of [untrained, base, sft, aligned]) {
      expect(model.clozeShakespeare!.chance).toBe(0.25);
      expect(model.clozeShakespeare!.value).toBeGreaterThanOrEqual(0);
      expect(model.clozeShakespeare!.value).toBeLessThanOrEqual(1);
    }
    expect(untrained.preferenceLogProb).toBeUndefined();
    for (const score of [
      sft.preferenceLogProb,
      aligned.preferenceLogProb,
      aligned.preferenceImplicitReward,
      aligned.winRateOverSft,
      evaluation.rewardModel.preferenceAccuracy,
    ]) {
      expect(score!.chance).toBe(0.5);
      expect(score!.count).toBeGreaterThan(0);
    }
    expect(sft.preferenceImplicitReward!.value).toBe(0.5);
    expect(evaluation.chatSamples.length).toBeGreaterThan(0);
    expect(evaluation.alignedSamples.length).toBeGreaterThan(0);
    expect(evaluation.baseSamples.length).toBeGreaterThan(0);
    for (const folder of ['chat-model', 'aligned-model']) {
      for (const file of ['config.json', 'model.safetensors', 'tokenizer.json', 'manifest.json']) {
        expect(existsSync(join(outDir, folder, file)), `${folder}/${file}`).toBe(true);
      }
    }
  });

  it('fingerprints the preference stage like the others: its inputs, the reward and aligned models', () => {
    const preference = JSON.parse(
      readFileSync(join(outDir, 'preference', 'done.json'), 'utf8'),
    ) as Marker & {
      inputs: { path: string; sha256: string }[];
      outputs: { path: string; sha256: string }[];
    };
    const paths = (list: { path: string; sha256: string }[]) => list.map((f) => f.path);
    expect(paths(preference.inputs)).toContain('chat-model/model.safetensors');
    expect(paths(preference.inputs)).toContain('repo:data/conversations/oasst1-en-100-trees.jsonl');
    expect(paths(preference.outputs)).toContain('aligned-model/model.safetensors');
    const reward = (preference.stats.reward as { checkpoint: string }).checkpoint;
    expect(paths(preference.outputs)).toContain(`${reward}/model.safetensors`);
    for (const file of preference.outputs) expect(file.sha256).toMatch(/^[0-9a-f]{64}$/);
    const stats = preference.stats as {
      trainPairs: number;
      validationPairs: number;
      online?: unknown[];
    };
    expect(stats.trainPairs).toBeGreaterThan(0);
    expect(stats.validationPairs).toBeGreaterThan(0);
    expect(stats.online).toHaveLength(1);
  });

  it('writes the report with loss plots, the per-model table and samples', () => {
    const html = readFileSync(join(outDir, 'report', 'report.html'), 'utf8');
    expect(html.match(/<svg/g)?.length).toBeGreaterThanOrEqual(4);
    expect(html).toContain('Samples from the chat model');
    expect(html).toContain('Samples from the aligned model');
    const md = readFileSync(join(outDir, 'report', 'report.md'), 'utf8');
    const evaluation = md.slice(md.indexOf('## Evaluation'), md.indexOf('## Notes'));
    const rows = evaluation.split('\n').filter((line) => line.startsWith('| '));
    expect(rows).toHaveLength(2 + 5); // header, separator, one row per model and the reward model
    for (const model of [
      'untrained',
      'base (pre-trained)',
      'SFT (chat-model/)',
      'aligned (aligned-model/)',
      'reward model',
    ]) {
      expect(
        rows.filter((line) => line.startsWith(`| ${model} |`)),
        model,
      ).toHaveLength(1);
    }
    expect(md).toMatch(/\| aligned \(aligned-model\/\) \| [^|]+ \| [0-9.]+ \(uniform [0-9.]+\) \|/);
    expect(md).toContain('(chance 0.250)');
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
    expect(before).toHaveLength(9);
    expect(await main(['--preset', 'tiny', '--out', outDir])).toBe(0);
    for (const m of before) expect(marker(m.stage).finishedAt, m.stage).toBe(m.finishedAt);
  });
});
