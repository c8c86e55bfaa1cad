// The speedrun's reruns on the tiny preset (with fewer steps): after the documents change,
// `--from tokenizer` retrains the tokenizer and trains fresh models on it, and a copied folder
// with edited documents and deleted shards works on its own contents. In both, the chat model's
// tokenizer and weights belong together: the hashes recorded in the done-markers chain from the
// tokenizer through the shards and the base checkpoint to the chat model, and from the chat model
// through the preference stage (reward model, aligned model) to the eval stage.
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type DoneMarker,
  readMarker,
  repoRoot,
  runStages,
  type SpeedrunPreset,
  speedrunPresets,
  stages,
} from '@lmkit/app-speedrun';
import { readShard } from '@lmkit/datasets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const tiny = speedrunPresets.tiny;
const preset: SpeedrunPreset = {
  ...tiny,
  pretrain: { ...tiny.pretrain, maxSteps: 6, evalEvery: 3, warmupSteps: 1 },
  sft: { ...tiny.sft, maxSteps: 4, evalEvery: 2, identityConversations: 10 },
  preference: {
    ...tiny.preference,
    maxPairs: 8,
    reward: { ...tiny.preference.reward, maxSteps: 2, evalEvery: 2 },
    dpo: { ...tiny.preference.dpo, maxSteps: 2, evalEvery: 2 },
    online: undefined,
  },
  eval: { maxNewTokens: 4, replyPrompts: 2, clozeItems: 4 },
};

const root = mkdtempSync(join(tmpdir(), 'lmkit-speedrun-reruns-'));
const original = join(root, 'run');
const copied = join(root, 'copied run');

const run = (outDir: string, from?: string) =>
  runStages({
    stages,
    outDir,
    preset,
    presetName: 'tiny-short',
    repoDir: repoRoot,
    from,
    log() {},
  });

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
/** The hash of a JSON file's content, whatever its spacing (the trainer writes it compactly). */
const jsonSha256 = (path: string) =>
  createHash('sha256')
    .update(JSON.stringify(JSON.parse(readFileSync(path, 'utf8'))))
    .digest('hex');
const marker = (outDir: string, stage: string) => readMarker(outDir, stage) as DoneMarker;
const recorded = (list: DoneMarker['inputs'], path: string) =>
  list?.find((f) => f.path === path)?.sha256;

/** Keeps every other document of the filter stage's output (documents changed by hand). */
function dropHalfTheDocuments(outDir: string) {
  const dir = join(outDir, 'filter', 'documents');
  for (const file of readdirSync(dir)) {
    const lines = readFileSync(join(dir, file), 'utf8').split('\n').filter(Boolean);
    writeFileSync(join(dir, file), `${lines.filter((_, i) => i % 2 === 0).join('\n')}\n`);
  }
}

/** The chain of hashes from tokenizer.json to the chat model, as recorded and on disk. */
async function expectChatModelBelongsToTokenizer(outDir: string) {
  const tokenizer = sha256(join(outDir, 'tokenizer', 'tokenizer.json'));
  // The chat model's tokenizer is the trained one plus the chat markers, after its vocabulary.
  const base = JSON.parse(readFileSync(join(outDir, 'tokenizer', 'tokenizer.json'), 'utf8'));
  const chat = JSON.parse(readFileSync(join(outDir, 'chat-model', 'tokenizer.json'), 'utf8'));
  expect({ ...chat, specialTokens: {} }).toEqual({ ...base, specialTokens: {} });
  expect(Object.keys(base.specialTokens)).toEqual(['<|endoftext|>']);
  const baseVocabSize = marker(outDir, 'tokenizer').stats.vocabSize as number;
  expect(chat.specialTokens).toMatchObject({
    ...base.specialTokens,
    '<|im_start|>': baseVocabSize,
    '<|im_sep|>': baseVocabSize + 1,
    '<|im_end|>': baseVocabSize + 2,
  });
  expect(marker(outDir, 'sft').stats).toMatchObject({
    baseVocabSize,
    chatVocabSize: baseVocabSize + 5,
  });
  expect(jsonSha256(join(outDir, 'aligned-model', 'tokenizer.json'))).toBe(
    jsonSha256(join(outDir, 'chat-model', 'tokenizer.json')),
  );
  for (const stage of ['shards', 'pretrain', 'sft', 'eval']) {
    expect(recorded(marker(outDir, stage).inputs, 'tokenizer/tokenizer.json'), stage).toBe(
      tokenizer,
    );
  }
  const pretrain = marker(outDir, 'pretrain');
  const baseWeights = `${pretrain.stats.checkpoint}/model.safetensors`;
  expect(sha256(join(outDir, baseWeights))).toBe(recorded(pretrain.outputs, baseWeights));
  expect(recorded(marker(outDir, 'sft').inputs, baseWeights)).toBe(
    recorded(pretrain.outputs, baseWeights),
  );
  const chatWeights = 'chat-model/model.safetensors';
  expect(sha256(join(outDir, chatWeights))).toBe(
    recorded(marker(outDir, 'sft').outputs, chatWeights),
  );
  expect(recorded(marker(outDir, 'eval').inputs, chatWeights)).toBe(
    sha256(join(outDir, chatWeights)),
  );
  // The preference stage reads the chat model and its outputs are fingerprinted like the others:
  // the eval stage records the very reward model and aligned model the preference stage wrote.
  const preference = marker(outDir, 'preference');
  expect(recorded(preference.inputs, chatWeights)).toBe(sha256(join(outDir, chatWeights)));
  const alignedWeights = 'aligned-model/model.safetensors';
  const rewardWeights = `${(preference.stats.reward as { checkpoint: string }).checkpoint}/model.safetensors`;
  for (const weights of [alignedWeights, rewardWeights]) {
    expect(sha256(join(outDir, weights)), weights).toBe(recorded(preference.outputs, weights));
    expect(recorded(marker(outDir, 'eval').inputs, weights), weights).toBe(
      recorded(preference.outputs, weights),
    );
  }
  expect(recorded(preference.outputs, alignedWeights)).not.toBe(
    recorded(preference.inputs, chatWeights),
  );
  // Fresh training runs, not 0-step resumes of the finished ones.
  expect(pretrain.stats.steps).toBe(preset.pretrain.maxSteps);
  expect(marker(outDir, 'sft').stats.steps).toBe(preset.sft.maxSteps);
  const metrics = readFileSync(join(outDir, 'pretrain', 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { type: string; step: number });
  expect(metrics.filter((r) => r.type === 'train').map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6]);
  const shards = marker(outDir, 'shards').stats as { val: string[]; train: string[] };
  for (const shard of [...shards.val, ...shards.train]) {
    const { tokens } = await readShard(join(outDir, shard));
    expect(Math.max(...tokens)).toBeLessThan(preset.vocabSize);
  }
  for (const stage of [
    'crawl',
    'filter',
    'tokenizer',
    'shards',
    'pretrain',
    'sft',
    'preference',
    'eval',
    'report',
  ]) {
    expect(JSON.stringify(marker(outDir, stage)).includes(root), `${stage} names ${root}`).toBe(
      false,
    );
  }
}

beforeAll(async () => {
  await run(original);
}, 600_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('speedrun reruns', () => {
  it('--from tokenizer after the documents changed retrains everything after them, from scratch', async () => {
    await expectChatModelBelongsToTokenizer(original);
    const before = {
      tokenizer: sha256(join(original, 'tokenizer', 'tokenizer.json')),
      chat: sha256(join(original, 'chat-model', 'model.safetensors')),
      filter: marker(original, 'filter').finishedAt,
    };
    dropHalfTheDocuments(original);
    await run(original, 'tokenizer');
    expect(marker(original, 'filter').finishedAt).toBe(before.filter);
    expect(sha256(join(original, 'tokenizer', 'tokenizer.json'))).not.toBe(before.tokenizer);
    expect(sha256(join(original, 'chat-model', 'model.safetensors'))).not.toBe(before.chat);
    await expectChatModelBelongsToTokenizer(original);
  }, 600_000);

  it('a copied folder with edited documents and deleted shards trains on its own contents', async () => {
    const before = sha256(join(original, 'tokenizer', 'tokenizer.json'));
    cpSync(original, copied, { recursive: true });
    rmSync(original, { recursive: true });
    dropHalfTheDocuments(copied);
    for (const shard of (marker(copied, 'shards').stats as { train: string[] }).train) {
      rmSync(join(copied, shard));
    }
    await run(copied);
    expect(sha256(join(copied, 'tokenizer', 'tokenizer.json'))).not.toBe(before);
    await expectChatModelBelongsToTokenizer(copied);
  }, 600_000);
});
