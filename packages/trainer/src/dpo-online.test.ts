// onlineDpo on a tiny random GPT with a reward that counts token 7 in the reply: rounds sample,
// score, pair best with worst and train; the policy moves toward the preferred replies; a run
// stopped after round 1 and resumed ends with the weights of a run that went straight through.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GPT } from '@lmkit/gpt-model';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestBackend } from './__fixtures__/backend.ts';
import { tinyGptConfig, weights } from './__fixtures__/preference.ts';
import { onlineDpo } from './dpo-online.ts';

const config = tinyGptConfig(12);
const prompts = [
  [1, 2, 3],
  [1, 4, 3],
  [1, 5, 3],
];
/** A reward model that likes token 7 (and reads every sequence whole). */
const rewardModel = {
  async score(sequences: readonly (readonly number[])[]) {
    return Float32Array.from(sequences, (s) => s.slice(3).filter((t) => t === 7).length);
  },
};

beforeAll(async () => {
  await useTestBackend();
});

const run = (
  policy: GPT,
  outDir: string,
  rounds: number,
  resume?: boolean,
  stop?: { signal: AbortSignal; onMetrics: () => void },
) =>
  onlineDpo({
    ...stop,
    policy,
    reference: new GPT(config, { seed: 5 }),
    rewardModel,
    prompts,
    samples: 4,
    rounds,
    generation: { maxNewTokens: 5, temperature: 1, stop: [0], seed: 11 },
    beta: 0.5,
    config: {
      batchSize: 2,
      checkpointEvery: 100,
      schedule: { kind: 'constant', maxLearningRate: 2e-2, warmupSteps: 1 },
      seed: 3,
    },
    outDir,
    resume,
    log: () => {},
  });

describe('onlineDpo', () => {
  it('makes best-versus-worst pairs each round and trains on them', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'lmkit-online-dpo-'));
    const rounds = await run(new GPT(config, { seed: 5 }), outDir, 2);
    expect(rounds.map((r) => r.round)).toEqual([1, 2]);
    for (const r of rounds) {
      expect(r.pairs + r.skippedPrompts).toBe(3);
      if (r.pairs > 0) expect(r.bestReward).toBeGreaterThan(r.worstReward);
    }
    const made = JSON.parse(readFileSync(join(outDir, 'round-1', 'pairs.json'), 'utf8'));
    for (const pair of made.pairs) {
      expect(pair.chosen.ids.slice(3).filter((t: number) => t === 7).length).toBeGreaterThan(
        pair.rejected.ids.slice(3).filter((t: number) => t === 7).length,
      );
      expect(pair.chosen.lossMask.slice(0, 3)).toEqual([0, 0, 0]);
    }
    const trained = rounds.find((r) => r.pairs > 0)!;
    const metrics = readFileSync(join(outDir, `round-${trained.round}`, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(metrics.filter((m) => m.type === 'train').at(-1).extra.margin).toBeGreaterThan(0);
    expect(existsSync(join(outDir, 'round-2', 'done.json'))).toBe(true);
  });

  it('resumes after round 1 to the weights of an uninterrupted run', async () => {
    const straight = new GPT(config, { seed: 5 });
    await run(straight, mkdtempSync(join(tmpdir(), 'lmkit-online-a-')), 2);
    const outDir = mkdtempSync(join(tmpdir(), 'lmkit-online-b-'));
    await run(new GPT(config, { seed: 5 }), outDir, 1);
    const resumed = new GPT(config, { seed: 5 });
    await run(resumed, outDir, 2, true);
    const [a, b] = [await weights(straight), await weights(resumed)];
    const initial = await weights(new GPT(config, { seed: 5 }));
    expect(a['wte.weight']).not.toEqual(initial['wte.weight']); // the rounds did train
    for (const name of Object.keys(a)) {
      a[name].forEach((v: number, i: number) => {
        expect(b[name][i]).toBeCloseTo(v, 5);
      });
    }
  });

  it('a signal mid-round leaves that round open; resume finishes it like an uninterrupted run', async () => {
    const straight = new GPT(config, { seed: 5 });
    await run(straight, mkdtempSync(join(tmpdir(), 'lmkit-online-c-')), 2);
    const outDir = mkdtempSync(join(tmpdir(), 'lmkit-online-d-'));
    const controller = new AbortController();
    let steps = 0;
    const finished = await run(new GPT(config, { seed: 5 }), outDir, 2, undefined, {
      signal: controller.signal,
      onMetrics: () => {
        if (++steps === 1) controller.abort();
      },
    });
    const open = finished.length + 1;
    expect(existsSync(join(outDir, `round-${open}`, 'done.json'))).toBe(false);
    expect(existsSync(join(outDir, `round-${open + 1}`))).toBe(false);
    const resumed = new GPT(config, { seed: 5 });
    const all = await run(resumed, outDir, 2, true);
    expect(all.map((r) => r.round)).toEqual([1, 2]);
    const [a, b] = [await weights(straight), await weights(resumed)];
    for (const name of Object.keys(a)) {
      a[name].forEach((v: number, i: number) => {
        expect(b[name][i]).toBeCloseTo(v, 5);
      });
    }
  });
});
