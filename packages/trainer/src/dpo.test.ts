// dpo() on a tiny random GPT: it starts at loss ln 2 (policy = reference), learns to prefer the
// chosen replies (rewards, accuracy and margin in the metrics file), caches the reference
// log-probabilities, and a run stopped by a signal and resumed ends with the same weights as one
// that ran straight through.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GPT } from '@lmkit/gpt-model';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestBackend } from './__fixtures__/backend.ts';
import { example, tinyGptConfig, weights } from './__fixtures__/preference.ts';
import { dpo } from './dpo.ts';
import type { PreferenceExample } from './dpo-loss.ts';

const config = tinyGptConfig(32);
// Chosen replies repeat the prompt's last token; rejected ones count down from 31.
const pairs: PreferenceExample[] = Array.from({ length: 8 }, (_, i) => {
  const prompt = [1, 2 + i, 3 + i];
  return {
    chosen: example(prompt, [3 + i, 3 + i, 0]),
    rejected: example(prompt, [31 - i, 30 - i, 0]),
  };
});
const valPairs = pairs.slice(0, 2);

beforeAll(async () => {
  await useTestBackend();
});

const run = (
  policy: GPT,
  outDir: string,
  extra: { signal?: AbortSignal; resume?: boolean; onStep?: (step: number) => void } = {},
) =>
  dpo({
    policy,
    reference: new GPT(config, { seed: 5 }),
    pairs,
    valPairs,
    beta: 0.5,
    config: {
      batchSize: 4,
      maxSteps: 6,
      evalEvery: 3,
      checkpointEvery: 100,
      schedule: { kind: 'constant', maxLearningRate: 3e-3, warmupSteps: 1 },
      seed: 9,
    },
    outDir,
    resume: extra.resume,
    signal: extra.signal,
    log: () => {},
    onEvent: (event) => {
      if (event.type === 'step') extra.onStep?.(event.metrics.step);
    },
  });

describe('dpo', () => {
  it('starts at ln 2 and learns to prefer the chosen replies; metrics and reference cache written', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'lmkit-dpo-'));
    const result = await run(new GPT(config, { seed: 5 }), outDir);
    expect(result.steps).toBe(6);
    const records = readFileSync(result.metricsPath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const train = records.filter((r) => r.type === 'train');
    const val = records.filter((r) => r.type === 'val');
    expect(train[0].loss).toBeCloseTo(Math.log(2), 5); // policy = reference: every Δ is 0
    expect(train[0].extra).toEqual({ chosenReward: 0, rejectedReward: 0, accuracy: 0, margin: 0 });
    expect(train.at(-1).loss).toBeLessThan(train[0].loss);
    expect(train.at(-1).extra.margin).toBeGreaterThan(0);
    expect(val.at(-1).extra.accuracy).toBe(1);
    expect(val.at(-1).loss).toBeLessThan(Math.log(2));
    const cache = JSON.parse(readFileSync(join(outDir, 'reference-logprobs.json'), 'utf8'));
    expect(cache.values).toHaveLength(2 * (pairs.length + valPairs.length));
    expect(cache.values.every((v: number) => v < 0)).toBe(true);
  });

  it('resumes after a signal to the same weights as an uninterrupted run', async () => {
    const straight = new GPT(config, { seed: 5 });
    await run(straight, mkdtempSync(join(tmpdir(), 'lmkit-dpo-a-')));
    const outDir = mkdtempSync(join(tmpdir(), 'lmkit-dpo-b-'));
    const controller = new AbortController();
    const first = await run(new GPT(config, { seed: 5 }), outDir, {
      signal: controller.signal,
      onStep: (step) => {
        if (step === 2) controller.abort();
      },
    });
    expect(first).toMatchObject({ stoppedBy: 'signal', steps: 2 });
    const resumed = new GPT(config, { seed: 5 });
    const second = await run(resumed, outDir, { resume: true });
    expect(second.steps).toBe(6);
    const [a, b] = [await weights(straight), await weights(resumed)];
    for (const name of Object.keys(a)) {
      a[name].forEach((v: number, i: number) => {
        expect(b[name][i]).toBeCloseTo(v, 5);
      });
    }
  });

  it('refuses an odd batch size', async () => {
    await expect(
      dpo({
        policy: new GPT(config),
        reference: new GPT(config),
        pairs,
        outDir: mkdtempSync(join(tmpdir(), 'lmkit-dpo-c-')),
        config: { batchSize: 3, maxSteps: 1 },
      }),
    ).rejects.toThrow(/batchSize 3 counts rows, two per pair; make it even/);
  });
});
