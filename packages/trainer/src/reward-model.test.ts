// The reward model on a tiny random GPT: rewards, the Bradley–Terry loss and the head's gradient
// against float64 computations from the backbone's hidden states; saved and loaded like a
// checkpoint with the same scores; trained, it learns a preference it can be taught and reports
// held-out accuracy.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GPT, loadGPT2 } from '@lmkit/gpt-model';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestBackend } from './__fixtures__/backend.ts';
import { example, tinyGptConfig } from './__fixtures__/preference.ts';
import type { PreferenceExample } from './dpo-loss.ts';
import { rewardAccuracy, trainRewardModel } from './reward.ts';
import { buildRewardRows, loadRewardModel, REWARD_HEAD, RewardModel } from './reward-model.ts';

const config = tinyGptConfig(32);
// Chosen replies end in token 7, rejected ones in token 9: a preference a reward model can learn.
const pairs: PreferenceExample[] = Array.from({ length: 12 }, (_, i) => {
  const prompt = [1, 10 + i, 2];
  const body = [20 + (i % 5), 11 + (i % 3)];
  return {
    chosen: example(prompt, [...body, 7]),
    rejected: example(prompt, [...body.slice(0, 1 + (i % 2)), 9]),
  };
});

beforeAll(async () => {
  await useTestBackend();
});

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describe('RewardModel', () => {
  it('has the Bradley–Terry loss and head gradient of a float64 computation from the hidden states', async () => {
    const model = new RewardModel(new GPT(config, { seed: 3 }), { seed: 4 });
    const picked = pairs.slice(0, 3);
    const rows = buildRewardRows(
      [...picked.map((p) => p.chosen.ids), ...picked.map((p) => p.rejected.ids)],
      16,
    );
    const shape: [number, number] = [rows.rows, rows.sequenceLength];
    const ids = tf.tensor2d(rows.inputs, shape, 'int32');
    const last = tf.tensor2d(rows.last, shape);
    const hiddenTensor = model.backbone.hidden(ids);
    const hidden = hiddenTensor.arraySync() as number[][];
    hiddenTensor.dispose();
    const head = Array.from(await model.parameters.get(REWARD_HEAD)!.data());
    const lastHidden = [...Array(rows.rows).keys()].map((r) => {
      const seq = r < 3 ? picked[r].chosen.ids : picked[r - 3].rejected.ids;
      return hidden[r * rows.sequenceLength + seq.length - 1];
    });
    const rewards = lastHidden.map((h) => h.reduce((s, v, c) => s + v * head[c], 0));
    const scored = await model.score([
      ...picked.map((p) => p.chosen.ids),
      ...picked.map((p) => p.rejected.ids),
    ]);
    rewards.forEach((r, i) => {
      expect(scored[i]).toBeCloseTo(r, 5);
    });
    const loss64 =
      [0, 1, 2].reduce((s, i) => s - Math.log(sigmoid(rewards[i] - rewards[3 + i])), 0) / 3;
    const { value, grads } = tf.variableGrads(
      () => model.loss(ids, tf.zeros(shape, 'int32') as tf.Tensor2D, { lossMask: last }),
      [model.parameters.get(REWARD_HEAD)!],
    );
    expect((await value.data())[0]).toBeCloseTo(loss64, 5);
    const gradient = Object.values(grads)[0].dataSync();
    for (let c = 0; c < config.nEmbd; c++) {
      const expected = [0, 1, 2].reduce(
        (s, i) =>
          s -
          (sigmoid(-(rewards[i] - rewards[3 + i])) * (lastHidden[i][c] - lastHidden[3 + i][c])) / 3,
        0,
      );
      expect(gradient[c]).toBeCloseTo(expected, 5);
    }
    tf.dispose([value, ids, last, ...Object.values(grads)]);
  });

  it('is saved and loaded like a checkpoint, scoring the same', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lmkit-reward-'));
    const model = new RewardModel(new GPT(config, { seed: 3 }), { seed: 4 });
    await model.save(dir);
    const loaded = await loadRewardModel(dir);
    const sequences = pairs.slice(0, 4).map((p) => p.chosen.ids);
    expect(Array.from(await loaded.score(sequences))).toEqual(
      Array.from(await model.score(sequences)),
    );
    const backbone = await loadGPT2(dir); // a plain GPT loader reads the folder too
    expect(backbone.config).toEqual(model.config);
    expect(() => buildRewardRows([[...Array(20).keys()]], 16)).toThrow(
      /sequence 0 has 20 tokens; a reward model reads 1 to 16/,
    );
  });
});

describe('trainRewardModel', () => {
  it('learns the preference: held-out accuracy, step accuracy and margin in the metrics file', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'lmkit-reward-train-'));
    const model = new RewardModel(new GPT(config, { seed: 3 }), { seed: 4 });
    const train = pairs.slice(0, 9);
    const val = pairs.slice(9);
    const result = await trainRewardModel({
      model,
      pairs: train,
      valPairs: val,
      config: {
        batchSize: 6,
        maxSteps: 30,
        evalEvery: 15,
        checkpointEvery: 100,
        schedule: { kind: 'constant', maxLearningRate: 1e-2, warmupSteps: 1 },
        seed: 2,
      },
      outDir,
      log: () => {},
    });
    expect(result.steps).toBe(30);
    const records = readFileSync(result.metricsPath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const trainRecords = records.filter((r) => r.type === 'train');
    expect(trainRecords[0].extra).toHaveProperty('accuracy');
    expect(trainRecords.at(-1).loss).toBeLessThan(trainRecords[0].loss);
    const lastVal = records.filter((r) => r.type === 'val').at(-1);
    expect(lastVal.extra.accuracy).toBe(1);
    expect((await rewardAccuracy(model, val)).accuracy).toBe(1);
    const state = JSON.parse(readFileSync(join(result.checkpoint!, 'trainer-state.json'), 'utf8'));
    expect(state.kind).toBe('reward');
    const reloaded = await loadRewardModel(result.checkpoint!);
    expect((await rewardAccuracy(reloaded, val)).accuracy).toBe(1);
  });
});
