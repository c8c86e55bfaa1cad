// Greedy generation with the KV cache, batch 1, 16-token prompt, 64 new tokens: gpt-model's
// `generate` on pure wasm, wasm + @lmkit/tfjs-native (its decode kernels) and cpu + native, next to
// the same weights in PyTorch (bench/pytorch/gpt_generate_bench.py at 1 and 2 threads, runs
// interleaved with ours). Prints ms per generated token (prefill excluded) and process CPU time,
// ratios against the faster PyTorch setting, and whether the greedy tokens agree.
// LMKIT_BENCH_SKIP_GPT2=1 leaves out the 124M model (its weights take a while to write and read).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as gptModel from '@lmkit/gpt-model';
import { median } from './harness.ts';
import { prepareVariants, useVariant } from './native.bench.ts';

type GPTConfig = ConstructorParameters<typeof gptModel.GPT>[0];

interface GenerateConfig {
  label: string;
  config: GPTConfig;
  rounds: number;
  /** Variant names to time (the slow ones are skipped on the big model). */
  variants: (name: string) => boolean;
}

const promptLength = 16;
const newTokens = 64;
/** The shared set-up's pure-wasm variant: gpt-model's kernel fixes, native kernels off. */
const pureWasm = 'wasm + gpt-model fixes';
const everyVariant = (name: string) =>
  [pureWasm, 'wasm + native (all)', 'cpu + native (all)'].includes(name);

const configs: GenerateConfig[] = [
  {
    label: '(a) 4L/4H/128, V 4096',
    config: gptModel.presets['cpu-small'],
    rounds: 5,
    variants: everyVariant,
  },
  {
    label: '(b) 6L/6H/384, V 8192',
    config: gptModel.presets['cpu-medium'],
    rounds: 5,
    variants: everyVariant,
  },
  {
    label: 'gpt2 124M (random weights)',
    config: { ...gptModel.presets.gpt2, dropout: 0 },
    rounds: 2,
    variants: (name) => name === 'wasm + native (all)',
  },
];

const prompt = Array.from({ length: promptLength }, (_, i) => (i * 7919 + 13) % 4096);

interface Sample {
  msPerToken: number;
  cpuMsPerToken: number;
  tokens: number[];
}

/** ms (wall and process CPU) per token after the first (which includes the prefill). */
async function generateOnce(model: gptModel.GPT): Promise<Sample> {
  const tokens: number[] = [];
  let first = 0;
  let cpu = process.cpuUsage();
  for await (const token of model.generate(prompt, { maxNewTokens: newTokens, temperature: 0 })) {
    if (tokens.length === 0) {
      first = performance.now();
      cpu = process.cpuUsage();
    }
    tokens.push(token);
  }
  const steps = tokens.length - 1;
  const used = process.cpuUsage(cpu);
  return {
    msPerToken: (performance.now() - first) / steps,
    cpuMsPerToken: (used.user + used.system) / 1000 / steps,
    tokens,
  };
}

const python = '/usr/bin/python3';
const torchScript = fileURLToPath(new URL('./pytorch/gpt_generate_bench.py', import.meta.url));

/** One PyTorch run (after its own warm-up) on the same weights, written with model.save. */
function pytorchGenerate(config: GPTConfig, weights: string, threads: number): Sample {
  const { nLayer, nHead, nEmbd, blockSize, vocabSize } = config;
  const args = [
    torchScript,
    ...['--layers', nLayer, '--heads', nHead, '--width', nEmbd, '--context', blockSize],
    ...['--vocab', vocabSize, '--weights', weights, '--prompt', prompt.join(',')],
    ...['--new-tokens', newTokens, '--runs', 1, '--threads', threads],
  ].map(String);
  const out = execFileSync(python, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 600_000,
  });
  const result = JSON.parse(out.trim().split('\n').at(-1)!) as {
    ms_per_token: number;
    cpu_ms_per_token: number;
    tokens: number[];
  };
  return {
    msPerToken: result.ms_per_token,
    cpuMsPerToken: result.cpu_ms_per_token,
    tokens: result.tokens,
  };
}

function agreement(a: number[], b: number[] | undefined): string {
  if (!b) return 'not compared';
  const at = a.findIndex((token, i) => token !== b[i]);
  return at < 0 && a.length === b.length ? 'equal' : `differ from token ${at}`;
}

interface Contender {
  name: string;
  run: () => Promise<Sample>;
  torch: boolean;
}

export async function run() {
  const variants = await prepareVariants();
  const torchAvailable = existsSync(python) && existsSync(torchScript);
  console.log(`\n${variants.nativeNote}`);
  if (!torchAvailable) console.log(`PyTorch not measured: ${python} or ${torchScript} missing`);
  const skipGpt2 = process.env.LMKIT_BENCH_SKIP_GPT2 === '1';
  for (const config of configs.filter((c) => !(skipGpt2 && c.label.startsWith('gpt2')))) {
    const names = [...variants.backends.keys()].filter(config.variants);
    const models = new Map<string, gptModel.GPT>();
    for (const name of names) {
      const { backend } = variants.backends.get(name)!;
      if (models.has(backend)) continue;
      useVariant(variants, name);
      models.set(backend, new gptModel.GPT(config.config, { seed: 1 }));
    }
    const dir = await mkdtemp(join(tmpdir(), 'lmkit-generate-bench-'));
    await models.values().next().value!.save(dir);
    const weights = join(dir, 'model.safetensors');
    const contenders: Contender[] = names.map((name) => ({
      name,
      torch: false,
      run: () => {
        useVariant(variants, name);
        return generateOnce(models.get(variants.backends.get(name)!.backend)!);
      },
    }));
    if (torchAvailable)
      for (const threads of [1, 2])
        contenders.push({
          name: `PyTorch ${threads} thread${threads > 1 ? 's' : ''}`,
          torch: true,
          run: async () => pytorchGenerate(config.config, weights, threads),
        });
    const samples = new Map<string, Sample[]>(contenders.map((c) => [c.name, []]));
    // Interleaved rounds so machine load hits every contender alike; round 0 warms ours up
    // (the PyTorch script warms up inside each run).
    for (let round = 0; round <= config.rounds; round++) {
      for (let k = 0; k < contenders.length; k++) {
        const contender = contenders[(round + k) % contenders.length];
        if (round === 0 && contender.torch) continue;
        const sample = await contender.run();
        if (round > 0) samples.get(contender.name)!.push(sample);
      }
    }
    await rm(dir, { recursive: true, force: true });
    for (const model of models.values()) model.dispose();
    report(config, contenders, samples);
  }
}

function report(config: GenerateConfig, contenders: Contender[], samples: Map<string, Sample[]>) {
  const rows = contenders.map((c) => {
    const list = samples.get(c.name)!;
    return {
      name: c.name,
      torch: c.torch,
      ms: median(list.map((s) => s.msPerToken)),
      cpuMs: median(list.map((s) => s.cpuMsPerToken)),
      tokens: list.at(-1)!.tokens,
    };
  });
  const torchRows = rows.filter((r) => r.torch);
  const best = torchRows.length ? torchRows.reduce((a, b) => (b.ms < a.ms ? b : a)) : undefined;
  console.log(
    `\n## Greedy generation, KV cache, batch 1, ${config.label}, prompt ${promptLength}, ${newTokens} new tokens`,
  );
  const vs = best ? ` × vs ${best.name} (ms/token ratio, >1 = faster) |` : '';
  console.log(`| contender | ms/token (median) | process CPU ms/token |${vs}`);
  console.log(`| --- | --- | --- |${best ? ' --- |' : ''}`);
  for (const r of rows) {
    const ratio = best ? ` ${(best.ms / r.ms).toFixed(2)} |` : '';
    console.log(`| ${r.name} | ${r.ms.toFixed(2)} | ${r.cpuMs.toFixed(2)} |${ratio}`);
  }
  for (const r of rows.filter((row) => !row.torch))
    console.log(`- ${r.name}: greedy tokens vs PyTorch ${agreement(r.tokens, best?.tokens)}`);
}
