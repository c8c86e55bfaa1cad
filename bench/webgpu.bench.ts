// The GPU bench: training tokens/s and generation ms/token on WebGPU beside the CPU path (cpu backend
// with @lmkit/tfjs-native's kernels), each backend in its own process so neither warms or loads the
// other. Configs (a) and (b) are gpt-model's cpu-small / cpu-medium presets, plus gpt2 (124M) at T 1024
// on a hardware adapter. Every table names the adapter; on a software adapter (lavapipe, SwiftShader)
// the figures are for the record only, and only config (a) runs unless LMKIT_BENCH_CONFIGS says more.
//
//   pnpm bench webgpu                              # whatever this machine has
//   LMKIT_BENCH_CONFIGS=a,b,gpt2 pnpm bench webgpu # on a machine with a real GPU
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as gptModel from '@lmkit/gpt-model';
import { probeWebGpu } from '../packages/gpt-model/src/runtime/webgpu/adapter.ts';

type GPTConfig = ConstructorParameters<typeof gptModel.GPT>[0];
const tf = gptModel.tf;

interface Config {
  key: string;
  label: string;
  config: GPTConfig;
  batch: number;
  /** Gradient accumulation is not needed for the figure: one micro-batch per step. */
  steps: number;
}

const configs: Config[] = [
  {
    key: 'a',
    label: '(a) 4L/4H/128, T 128, V 4096, B 8',
    config: gptModel.presets['cpu-small'],
    batch: 8,
    steps: 5,
  },
  {
    key: 'b',
    label: '(b) 6L/6H/384, T 256, V 8192, B 4',
    config: gptModel.presets['cpu-medium'],
    batch: 4,
    steps: 3,
  },
  {
    key: 'gpt2',
    label: 'gpt2 124M, T 1024, V 50257, B 1',
    config: { ...gptModel.presets.gpt2, dropout: 0 },
    batch: 1,
    steps: 3,
  },
];

interface ChildResult {
  backend: string;
  adapter: string;
  trainTokensPerSecond: number;
  generateMsPerToken: number;
  loss: number;
}

/** Runs in the child process: one backend, one config. */
async function measure(backend: 'webgpu' | 'cpu', key: string): Promise<ChildResult> {
  const run = configs.find((c) => c.key === key)!;
  const used = await gptModel.setBackend(backend);
  const adapter =
    backend === 'webgpu'
      ? (() => {
          const status = gptModel.webGpuStatus();
          return `${status?.description || status?.vendor} (${status?.software ? 'software' : 'hardware'})`;
        })()
      : 'cpu + tfjs-native kernels';
  const { config, batch } = run;
  const model = new gptModel.GPT(config, { seed: 1 });
  const vars = [...model.parameters.values()];
  const rows = Array.from({ length: batch }, (_, b) =>
    Array.from(
      { length: config.blockSize + 1 },
      (_, t) => (b * 7919 + t * 104729) % config.vocabSize,
    ),
  );
  const ids = tf.tensor2d(
    rows.map((r) => r.slice(0, -1)),
    undefined,
    'int32',
  );
  const targets = tf.tensor2d(
    rows.map((r) => r.slice(1)),
    undefined,
    'int32',
  );
  // Asynchronous read-back: WebGPU in Node has no dataSync.
  const step = async () => {
    const { value, grads } = tf.variableGrads(
      () => model.loss(ids as never, targets as never),
      vars,
    );
    // Plain SGD, as native-train.bench.ts and its PyTorch peer do.
    tf.tidy(() => {
      for (const v of vars) v.assign(tf.sub(v, tf.mul(grads[v.name], 1e-3)));
    });
    const loss = (await value.data())[0];
    tf.dispose([value, ...Object.values(grads)]);
    return loss;
  };
  await step(); // warm-up: shader compilation and buffer pools
  const times: number[] = [];
  let loss = 0;
  for (let i = 0; i < run.steps; i++) {
    const start = performance.now();
    loss = await step();
    times.push(performance.now() - start);
  }
  times.sort((p, q) => p - q);
  const stepMs = times[Math.floor(times.length / 2)];
  const newTokens = 32;
  const prompt = rows[0].slice(0, 16);
  for await (const _ of model.generate(prompt, { maxNewTokens: 4, temperature: 0 })); // warm-up
  const start = performance.now();
  let produced = 0;
  for await (const _ of model.generate(prompt, { maxNewTokens: newTokens, temperature: 0 }))
    produced++;
  const generateMsPerToken = (performance.now() - start) / Math.max(produced, 1);
  tf.dispose([ids, targets]);
  model.dispose();
  return {
    backend: used,
    adapter,
    trainTokensPerSecond: (batch * config.blockSize) / (stepMs / 1000),
    generateMsPerToken,
    loss,
  };
}

export async function run() {
  const probe = await probeWebGpu();
  if (!probe.ok) {
    console.log(`- WebGPU not measured: ${probe.reason}`);
    return;
  }
  const software = probe.adapter.software;
  const wanted = (process.env.LMKIT_BENCH_CONFIGS ?? (software ? 'a' : 'a,b,gpt2')).split(',');
  const adapterName = `${probe.adapter.description || probe.adapter.vendor} (${software ? 'software: figures for the record only' : 'hardware'})`;
  console.log(`\nWebGPU adapter: ${adapterName}`);
  console.log('\n| config | backend | train tokens/s | generate ms/token | ratio (train) |');
  console.log('| --- | --- | --- | --- | --- |');
  const self = fileURLToPath(import.meta.url);
  for (const run of configs.filter((c) => wanted.includes(c.key))) {
    const results: ChildResult[] = [];
    for (const backend of ['cpu', 'webgpu'] as const) {
      try {
        const out = execFileSync(
          process.execPath,
          ['--import', 'tsx', '--conditions=source', self, '--child', backend, run.key],
          { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 1_800_000 },
        );
        results.push(JSON.parse(out.trim().split('\n').at(-1)!) as ChildResult);
      } catch (error) {
        console.log(`| ${run.label} | ${backend} | failed: ${String(error).split('\n')[0]} | | |`);
      }
    }
    const cpu = results.find((r) => r.backend === 'cpu');
    for (const r of results)
      console.log(
        `| ${run.label} | ${r.backend === 'cpu' ? r.adapter : `webgpu: ${r.adapter}`} | ${r.trainTokensPerSecond.toFixed(0)} | ${r.generateMsPerToken.toFixed(2)} | ${cpu ? `${(r.trainTokensPerSecond / cpu.trainTokensPerSecond).toFixed(2)}×` : ''} |`,
      );
  }
}

const childAt = process.argv.indexOf('--child');
if (childAt >= 0) {
  const result = await measure(
    process.argv[childAt + 1] as 'webgpu' | 'cpu',
    process.argv[childAt + 2],
  );
  console.log(JSON.stringify(result));
  process.exit(0);
}
