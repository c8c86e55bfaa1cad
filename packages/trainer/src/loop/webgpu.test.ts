// The whole training step on WebGPU (Dawn over Mesa's lavapipe on CI): forward, masked loss,
// backward, global-norm clipping and AdamW through `pretrain`, checkpointed and read back. The same
// run on the cpu backend (tfjs ops only, no native kernels) gives the same losses, so the GPU path
// trains the same model. Skipped with the reason where there is no adapter, except under CI.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GPT, loadCheckpoint, probeWebGpu, setBackend } from '@lmkit/gpt-model';
import { describe, expect, it } from 'vitest';
import { tinyGptConfig } from '../__fixtures__/preference.ts';
import { letterTokenizer, writePatternShards } from '../__fixtures__/shards.ts';
import { readMetrics, type TrainStepMetrics } from '../report/step-log.ts';
import { pretrain } from './pretrain.ts';

const probe = await probeWebGpu();
if (!probe.ok && process.env.CI)
  throw new Error(`CI must run the WebGPU trainer test, but: ${probe.reason}`);

const micro = { ...tinyGptConfig(16), nLayer: 2 };

async function run(backend: 'webgpu' | 'cpu', trainFile: string, valFile: string) {
  await setBackend(backend, { nativeKernels: false });
  const outDir = mkdtempSync(join(tmpdir(), `trainer-${backend}-`));
  const model = new GPT(micro, { seed: 7 });
  const result = await pretrain({
    model,
    trainFiles: [trainFile],
    valFiles: [valFile],
    outDir,
    tokenizer: letterTokenizer(16),
    tokenizerJson: { kind: 'letters' },
    shuffle: false,
    config: {
      batchSize: 4,
      sequenceLength: 8,
      maxSteps: 6,
      evalEvery: 6,
      evalBatches: 2,
      gradientClip: 0.5,
      schedule: { warmupSteps: 2, maxLearningRate: 0.01 },
    },
    log: () => {},
  });
  model.dispose();
  const losses = readMetrics(result.metricsPath)
    .filter((r): r is TrainStepMetrics => r.type === 'train')
    .map((r) => r.loss);
  return { result, losses };
}

describe.skipIf(!probe.ok)(
  `pretrain on WebGPU${probe.ok ? '' : ` (skipped: ${probe.reason})`}`,
  () => {
    it('trains, clips, checkpoints and matches the cpu backend step for step', async () => {
      const shards = await writePatternShards({ vocabSize: 16, tokens: 2000 });
      const gpu = await run('webgpu', shards.train, shards.val);
      const cpu = await run('cpu', shards.train, shards.val);
      expect(gpu.result.steps).toBe(6);
      expect(gpu.losses).toHaveLength(6);
      for (const [i, loss] of gpu.losses.entries()) expect(loss).toBeCloseTo(cpu.losses[i], 3);
      expect(gpu.losses[5]).toBeLessThan(gpu.losses[0]);
      // The checkpoint written from WebGPU verifies and loads on the cpu backend.
      const loaded = await loadCheckpoint(gpu.result.checkpoint!);
      expect(loaded.manifest.step).toBe(6);
      expect(loaded.model.config.nLayer).toBe(2);
      loaded.model.dispose();
    });
  },
);
