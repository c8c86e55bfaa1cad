// `lmkit-train bench --preset a|b`: training tokens per second on random tokens through the real
// loop (forward, backward, clipping, AdamW), median step after warm-up, as one JSON line.
// Configs from gpt-model's issue: (a) 4 layers, 4 heads, 128 wide, T 128, vocab 4096, B 8;
// (b) 6 layers, 6 heads, 384 wide, T 256, vocab 8192, B 4.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flag, formatHelp, parseFlags } from '@lmkit/cli-kit';
import { GPT, type GPTConfig, presets } from '@lmkit/gpt-model';
import { type Batch, Random, resolveTrainingConfig, runTraining } from '@lmkit/trainer';
import { backendFlags } from './args.ts';
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

const flags = {
  preset: flag.string({
    description:
      'a: 4 layers, 4 heads, 128 wide, T 128, vocab 4096, batch 8; b: 6 layers, 6 heads, 384 wide, T 256, vocab 8192, batch 4',
    choices: ['a', 'b'] as const,
    default: 'a',
    placeholder: 'a|b',
  }),
  steps: flag.number({
    description: 'timed steps after warm-up',
    integer: true,
    min: 1,
    default: 10,
  }),
  warmup: flag.number({ description: 'untimed steps first', integer: true, min: 0, default: 2 }),
  ...backendFlags,
};

export const benchHelp = formatHelp({
  usage: 'lmkit-train bench [--preset a|b] [flags]',
  description:
    'Prints one JSON line: {"preset", "backend", "tokens_per_second", "median_step_ms", ...}',
  groups: [{ flags }],
});

export async function benchCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(flags, argv);
  if (values.help) {
    console.log(benchHelp);
    return 0;
  }
  const presetName = values.preset;
  const preset = benchPresets[presetName];
  const { steps, warmup } = values;
  const backend = await setUpBackend({ backend: values.backend, native: values.native });
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
