// @lmkit/gpt-model speed: training-step tokens/s for configs (a) and (b) beside the same model in
// PyTorch (Debian's python3-torch, skipped with a note when absent), stock vs XNNPACK-routed wasm
// BatchMatMul, and generation ms/token with and without the KV cache.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  GPT,
  type GPTConfig,
  presets,
  Rng,
  registerWasmBatchMatMul,
  setBackend,
  tf,
  unregisterWasmBatchMatMul,
} from '@lmkit/gpt-model';
import { type BenchResult, median, printTable } from './harness.ts';

const here = dirname(fileURLToPath(import.meta.url));
const tokensPerStep = 1024;

interface Timing {
  wallMs: number;
  cpuMs: number;
}

function timeIt(run: () => void): Timing {
  const cpu = process.cpuUsage();
  const start = performance.now();
  run();
  const used = process.cpuUsage(cpu);
  return { wallMs: performance.now() - start, cpuMs: (used.user + used.system) / 1000 };
}

function trainingStep(model: GPT, batch: number[][]) {
  const variables = [...model.parameters.values()];
  const inputs = batch.map((row) => row.slice(0, -1));
  const targets = batch.map((row) => row.slice(1));
  const { value, grads } = tf.variableGrads(() => model.loss(inputs, targets), variables);
  tf.tidy(() => {
    for (const v of variables) v.assign(tf.sub(v, tf.mul(grads[v.name], 1e-3)));
  });
  value.dataSync();
  tf.dispose([value, ...Object.values(grads)]);
}

function pythonWithTorch(): string | undefined {
  for (const python of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
    if (probe.status === 0) return python;
  }
  return undefined;
}

function pytorchStep(python: string, config: GPTConfig, batchSize: number) {
  const args = [
    join(here, 'pytorch', 'gpt_train_bench.py'),
    ...['--layers', config.nLayer, '--heads', config.nHead, '--width', config.nEmbd],
    ...['--context', config.blockSize, '--vocab', config.vocabSize, '--batch', batchSize],
    ...['--threads', 1],
  ].map(String);
  // PyTorch's best setting on these 2-core machines (PERF-NOTES): 1 intra-op thread, OpenBLAS at 2.
  const run = spawnSync(python, args, {
    encoding: 'utf8',
    env: { ...process.env, OPENBLAS_NUM_THREADS: '2' },
  });
  if (run.status !== 0) throw new Error(`PyTorch bench failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {
    median_ms: number;
    cpu_median_ms: number;
    torch: string;
    threads: number;
  };
}

function row(
  name: string,
  timings: Timing[],
  baselineMs?: number,
): BenchResult & { cpuMs: number } {
  const medianMs = median(timings.map((t) => t.wallMs));
  return {
    name,
    medianMs,
    samplesMs: timings.map((t) => t.wallMs),
    unitsPerSecond: tokensPerStep / (medianMs / 1000),
    speedupVsBaseline: baselineMs ? baselineMs / medianMs : 1,
    cpuMs: median(timings.map((t) => t.cpuMs)),
  };
}

async function trainingBench(label: string, config: GPTConfig, batchSize: number, stock: boolean) {
  const model = new GPT(config, { seed: 0 });
  const rng = new Rng(1);
  const batch = Array.from({ length: batchSize }, () =>
    Array.from({ length: config.blockSize + 1 }, () => rng.nextUint32() % config.vocabSize),
  );
  const contenders: [string, () => void][] = [
    ['tfjs wasm + XNNPACK BatchMatMul (ours)', registerWasmBatchMatMul],
  ];
  if (stock) contenders.push(['tfjs wasm, stock BatchMatMul', unregisterWasmBatchMatMul]);
  const samples = new Map<string, Timing[]>(contenders.map(([name]) => [name, []]));
  const rounds = stock ? 2 : 3;
  for (let round = 0; round < rounds + 1; round++) {
    for (const [name, setup] of contenders) {
      setup();
      const timing = timeIt(() => trainingStep(model, batch));
      if (round > 0) samples.get(name)!.push(timing);
    }
  }
  registerWasmBatchMatMul();
  model.dispose();
  const python = pythonWithTorch();
  const torch = python ? pytorchStep(python, config, batchSize) : undefined;
  const baseline = torch?.median_ms;
  const rows = contenders.map(([name]) => row(name, samples.get(name)!, baseline));
  if (torch) {
    rows.push({
      ...row(
        `PyTorch ${torch.torch} CPU, ${torch.threads} intra-op thread(s)`,
        [{ wallMs: torch.median_ms, cpuMs: torch.cpu_median_ms }],
        baseline,
      ),
    });
  }
  const title = `GPT training step (forward + backward + SGD), ${label}, ${tokensPerStep} tokens/step`;
  printTable(
    { title, units: { amount: tokensPerStep, label: 'tokens' } },
    rows,
    torch ? 'PyTorch' : rows[0].name,
  );
  for (const r of rows)
    console.log(
      `- ${r.name}: CPU time per step ${r.cpuMs.toFixed(0)} ms → ${(tokensPerStep / (r.cpuMs / 1000)).toFixed(0)} tokens per CPU-second`,
    );
  if (!torch)
    console.log(
      '- PyTorch row skipped: no python3 with torch here (`apt-get install -y python3-torch`).',
    );
}

async function generationBench(name: keyof typeof presets, newTokens: number) {
  const config = presets[name];
  const model = new GPT(config, { seed: 0 });
  const prompt = Array.from({ length: 16 }, (_, i) => (i * 37) % config.vocabSize);
  const rows: BenchResult[] = [];
  const timings = new Map<string, number[]>([
    ['KV cache', []],
    ['full recompute', []],
  ]);
  for (let round = 0; round < 3; round++) {
    for (const kvCache of [true, false]) {
      const start = performance.now();
      let count = 0;
      for await (const _ of model.generate(prompt, {
        maxNewTokens: newTokens,
        temperature: 0,
        kvCache,
      }))
        count++;
      if (round > 0)
        timings
          .get(kvCache ? 'KV cache' : 'full recompute')!
          .push((performance.now() - start) / count);
    }
  }
  model.dispose();
  const full = median(timings.get('full recompute')!);
  for (const [label, samples] of timings) {
    const medianMs = median(samples);
    rows.push({
      name: `${name} ${label}`,
      medianMs,
      samplesMs: samples,
      speedupVsBaseline: full / medianMs,
    });
  }
  printTable(
    {
      title: `Generation, ${name}, batch 1, 16-token prompt + ${newTokens} greedy tokens: ms per token`,
    },
    rows,
    `${name} full recompute`,
  );
}

export async function run() {
  // Pure wasm: this bench measures gpt-model's own routing; setBackend would otherwise install
  // @lmkit/tfjs-native's kernels (native-train and native-generate measure those).
  await setBackend('wasm', { nativeKernels: false });
  console.log(
    `\nload average at start: ${(await import('node:os'))
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  await trainingBench('(a) 4L/4H/128 wide, T 128, vocab 4096, B 8', presets['cpu-small'], 8, true);
  await trainingBench(
    '(b) 6L/6H/384 wide, T 256, vocab 8192, B 4',
    presets['cpu-medium'],
    4,
    false,
  );
  for (const name of ['tiny', 'cpu-small', 'cpu-medium'] as const) await generationBench(name, 32);
  await generationBench('gpt2', 16);
}
