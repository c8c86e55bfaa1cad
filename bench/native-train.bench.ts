// GPT training steps (forward + backward + SGD update) with and without @lmkit/tfjs-native, for the
// issue's configs (a) and (b): our kernel variants against each other, interleaved in this process.
// Prints tokens/s, ratios and model FLOP utilisation against a measured sgemm peak. PyTorch is not
// a contender here: a child started from this process competes with our OpenBLAS threads, which
// busy-wait after each call (PERF-NOTES); `pnpm bench train-peers` runs each peer in a process of
// its own.
import { availableParallelism } from 'node:os';
import * as gptModel from '@lmkit/gpt-model';
import { setNativeThreads } from '../packages/tfjs-native/src/index.ts';
import { bench, median, printTable } from './harness.ts';
import { ensureGradients, prepareVariants, type Tf, tf, useVariant } from './native.bench.ts';

type Variable = ReturnType<Tf['variable']>;
type GPTConfig = ConstructorParameters<typeof gptModel.GPT>[0];

interface TrainConfig {
  label: string;
  config: GPTConfig;
  batch: number;
  rounds: number;
  /** The cpu backend's remaining JS kernels make it too slow to time on the larger config. */
  cpu: boolean;
}

const configs: TrainConfig[] = [
  {
    label: '(a) 4L/4H/128, T 128, V 4096, B 8',
    config: gptModel.presets['cpu-small'],
    batch: 8,
    rounds: 5,
    cpu: true,
  },
  {
    label: '(b) 6L/6H/384, T 256, V 8192, B 4',
    config: gptModel.presets['cpu-medium'],
    batch: 4,
    rounds: 3,
    cpu: false,
  },
];

/** One model on the current backend; `step()` runs a full training step (forward, backward, SGD). */
function trainer(config: GPTConfig, batch: number) {
  const model = new gptModel.GPT(config, { seed: 1 });
  const vars = [...model.parameters.values()] as unknown as Variable[];
  const tokens = Array.from({ length: batch }, (_, b) =>
    Array.from(
      { length: config.blockSize + 1 },
      (_, t) => (b * 7919 + t * 104729) % config.vocabSize,
    ),
  );
  const ids = tf.tensor2d(
    tokens.map((row) => row.slice(0, -1)),
    undefined,
    'int32',
  );
  const targets = tf.tensor2d(
    tokens.map((row) => row.slice(1)),
    undefined,
    'int32',
  );
  const dispose = () => {
    model.dispose();
    tf.dispose([ids, targets]);
  };
  const step = () => {
    const { value, grads } = tf.variableGrads(
      () => model.loss(ids as never, targets as never) as never,
      vars,
    );
    // Plain SGD: this bench compares our kernel variants (train-peers times AdamW against PyTorch).
    tf.tidy(() => {
      for (const v of vars) v.assign(tf.sub(v, tf.mul(grads[v.name], 1e-3)));
    });
    const loss = value.dataSync()[0];
    value.dispose();
    tf.dispose(grads);
    return loss;
  };
  return { step, dispose };
}

export async function run() {
  const variants = await prepareVariants(); // gpt-model's setBackend registers its gradients
  await ensureGradients(['Mean', 'Sum', 'BatchMatMul']);
  console.log(`\n${variants.nativeNote}`);
  const allNames = [...variants.backends.keys()].filter((name) => name !== 'wasm stock');
  const peakGflops = 190; // practical float32 sgemm peak of these 2 cores (PERF-NOTES.md)
  for (const run of configs) {
    const names = allNames.filter(
      (name) => run.cpu || variants.backends.get(name)!.backend !== 'cpu',
    );
    // One model per backend (the wasm variants differ only in registered kernels), contenders
    // interleaved by the harness so machine load hits them alike.
    const tokens = run.batch * run.config.blockSize;
    const trainers = new Map<string, ReturnType<typeof trainer>>();
    for (const name of names) {
      const { backend } = variants.backends.get(name)!;
      if (trainers.has(backend)) continue;
      useVariant(variants, name);
      trainers.set(backend, trainer(run.config, run.batch));
    }
    // The all-native variant runs at 1 thread and at every core (PyTorch gets 1 and 2 threads
    // too); the others at every core.
    const cores = availableParallelism();
    const runs = names.flatMap((name) =>
      name === 'wasm + native (all)' && cores > 1
        ? [
            { name: `${name}, 1 thread`, variant: name, threads: 1 },
            { name: `${name}, ${cores} threads`, variant: name, threads: cores },
          ]
        : [{ name, variant: name, threads: cores }],
    );
    // Process CPU time per step too: steadier than wall time on a machine shared with others.
    const cpuMs = new Map<string, number[]>(runs.map((r) => [r.name, []]));
    const timed = bench({
      title: `GPT training step ${run.label}`,
      contenders: [
        ...runs.map((r) => ({
          name: r.name,
          before: () => {
            useVariant(variants, r.variant);
            if (variants.native) setNativeThreads(r.threads);
          },
          run: () => {
            const start = process.cpuUsage();
            const loss = trainers.get(variants.backends.get(r.variant)!.backend)!.step();
            const used = process.cpuUsage(start);
            cpuMs.get(r.name)!.push((used.user + used.system) / 1000);
            return loss;
          },
        })),
      ],
      baseline: names[0],
      rounds: run.rounds,
      units: { amount: tokens, label: 'tokens' },
      quiet: true,
    });
    const results = timed;
    const baseMs = results.find((r) => r.name === names[0])!.medianMs;
    for (const r of results) r.speedupVsBaseline = baseMs / r.medianMs;
    printTable(
      { title: `GPT training step ${run.label}`, units: { amount: tokens, label: 'tokens' } },
      results,
      names[0],
    );
    for (const t of trainers.values()) t.dispose();
    const flops = gptModel.flopsPerToken(run.config, run.config.blockSize);
    for (const r of results) {
      const mfu = (r.unitsPerSecond! * flops) / (peakGflops * 1e9);
      const cpu = median(cpuMs.get(r.name)!.slice(-run.rounds));
      console.log(
        `- ${r.name}: ${r.unitsPerSecond!.toFixed(0)} tok/s (median ${r.medianMs.toFixed(0)} ms/step), process CPU ${cpu.toFixed(0)} ms/step, MFU ${(mfu * 100).toFixed(1)} % of ${peakGflops} GFLOP/s`,
      );
    }
  }
}
