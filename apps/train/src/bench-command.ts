// `lmkit-train bench --preset a|b`: training tokens per second on random tokens through the real
// loop (forward, backward, clipping, AdamW), median step after warm-up, as one JSON line.
// Configs from gpt-model's issue: (a) 4 layers, 4 heads, 128 wide, T 128, vocab 4096, B 8;
// (b) 6 layers, 6 heads, 384 wide, T 256, vocab 8192, B 4.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GPT, type GPTConfig, presets } from '@lmkit/gpt-model';
import {
  type Batch,
  Random,
  resolveTrainingConfig,
  runTraining,
  TrainerConfigError,
} from '@lmkit/trainer';
import { numberFlag, type ParsedArgs, stringFlag } from './args.ts';
import { setUpBackend } from './setup.ts';

export const benchPresets: Record<string, { model: GPTConfig; batchSize: number }> = {
  a: {
    model: presets['cpu-small'],
    batchSize: 8,
  },
  b: {
    model: presets['cpu-medium'],
    batchSize: 4,
  },
};

export const benchHelp = `lmkit-train bench --preset a|b [--steps N] [--warmup N] [--backend NAME] [--native | --no-native]

Prints one JSON line: {"preset", "backend", "tokens_per_second", "median_step_ms", ...}
  a: 4 layers, 4 heads, 128 wide, T 128, vocab 4096, batch 8
  b: 6 layers, 6 heads, 384 wide, T 256, vocab 8192, batch 4
  --steps N    timed steps after warm-up (default 10)
  --warmup N   untimed steps first (default 2)`;

export async function benchCommand(args: ParsedArgs): Promise<number> {
  const presetName = stringFlag(args.flags, 'preset') ?? 'a';
  const preset = benchPresets[presetName];
  if (!preset) throw new TrainerConfigError(`--preset ${presetName} is unknown; use a or b`);
  const steps = numberFlag(args.flags, 'steps') ?? 10;
  const warmup = numberFlag(args.flags, 'warmup') ?? 2;
  const backend = await setUpBackend({
    backend: stringFlag(args.flags, 'backend'),
    native: args.flags.get('native') as boolean | undefined,
  });
  const { model: config, batchSize } = preset;
  const T = config.blockSize;
  const model = new GPT(config, { seed: 1 });
  const random = new Random(7);
  const randomBatch = (): Batch => {
    const row = () =>
      Int32Array.from({ length: batchSize * T }, () => random.nextInt(config.vocabSize));
    return { batchSize, sequenceLength: T, inputs: row(), targets: row() };
  };
  const outDir = mkdtempSync(join(tmpdir(), 'lmkit-train-bench-'));
  const durations: number[] = [];
  await runTraining({
    kind: 'pretrain',
    model,
    config: resolveTrainingConfig({
      batchSize,
      sequenceLength: T,
      maxSteps: warmup + steps,
      schedule: { kind: 'constant', maxLearningRate: 3e-4 },
    }),
    openSource: async () => ({ next: randomBatch, cursor: () => null }),
    outDir,
    log: () => {},
    onMetrics: (record) => {
      if (record.type === 'train' && record.step > warmup) durations.push(record.durationMs);
    },
  });
  rmSync(outDir, { recursive: true, force: true });
  durations.sort((x, y) => x - y);
  const mid = durations.length >> 1;
  const medianMs =
    durations.length % 2 ? durations[mid] : (durations[mid - 1] + durations[mid]) / 2;
  console.log(
    JSON.stringify({
      preset: presetName,
      backend,
      tokens_per_second: Math.round((batchSize * T) / (medianMs / 1000)),
      median_step_ms: Number(medianMs.toFixed(1)),
      steps,
      batch_size: batchSize,
      sequence_length: T,
    }),
  );
  model.dispose();
  return 0;
}
