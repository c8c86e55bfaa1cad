// Greedy generation with the KV cache, batch 1, 16-token prompt, 64 new tokens: gpt-model's
// `generate` on pure wasm, wasm + @lmkit/tfjs-native (its decode kernels) and cpu + native, next to
// the same weights in PyTorch (bench/pytorch/gpt_generate_bench.py, best of 1 and 2 threads).
// Prints ms per generated token (prefill excluded), ratios, and whether the greedy tokens agree.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as gptModel from '@lmkit/gpt-model';
import { type BenchResult, median, printTable } from './harness.ts';
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
const everyVariant = (name: string) => name !== 'wasm stock' && name !== 'wasm + native sgemm';

const configs: GenerateConfig[] = [
  {
    label: '(a) 4L/4H/128, V 4096',
    config: {
      vocabSize: 4096,
      blockSize: 128,
      nLayer: 4,
      nHead: 4,
      nEmbd: 128,
      dropout: 0,
      bias: true,
    },
    rounds: 5,
    variants: everyVariant,
  },
  {
    label: '(b) 6L/6H/384, V 8192',
    config: {
      vocabSize: 8192,
      blockSize: 256,
      nLayer: 6,
      nHead: 6,
      nEmbd: 384,
      dropout: 0,
      bias: true,
    },
    rounds: 5,
    variants: everyVariant,
  },
  {
    label: 'gpt2 124M (random weights)',
    config: { ...gptModel.presets.gpt2, dropout: 0 },
    rounds: 3,
    variants: (name) => name === 'wasm + native (all)',
  },
];

const prompt = Array.from({ length: promptLength }, (_, i) => (i * 7919 + 13) % 4096);

/** ms per token after the first (the first includes the prompt's prefill) and the tokens. */
async function generateOnce(
  model: gptModel.GPT,
): Promise<{ msPerToken: number; tokens: number[] }> {
  const tokens: number[] = [];
  let first = 0;
  for await (const token of model.generate(prompt, { maxNewTokens: newTokens, temperature: 0 })) {
    if (tokens.length === 0) first = performance.now();
    tokens.push(token);
  }
  return { msPerToken: (performance.now() - first) / (tokens.length - 1), tokens };
}

interface TorchResult {
  msPerToken?: number;
  tokens?: number[];
  note: string;
}

/** PyTorch ms/token on the same weights (written with model.save), best of 1 and 2 threads. */
function pytorchGenerate(config: GPTConfig, weights: string): TorchResult {
  const python = '/usr/bin/python3';
  const script = fileURLToPath(new URL('./pytorch/gpt_generate_bench.py', import.meta.url));
  if (!existsSync(python) || !existsSync(script))
    return { note: `PyTorch not measured: ${python} or ${script} missing` };
  const { nLayer, nHead, nEmbd, blockSize, vocabSize } = config;
  let best: { ms_per_token: number; tokens: number[]; threads: number } | undefined;
  for (const threads of ['1', '2']) {
    const args = [
      script,
      ...['--layers', nLayer, '--heads', nHead, '--width', nEmbd, '--context', blockSize],
      ...['--vocab', vocabSize, '--weights', weights, '--prompt', prompt.join(',')],
      ...['--new-tokens', newTokens, '--runs', 3, '--threads', threads],
    ].map(String);
    try {
      const out = execFileSync(python, args, {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 600_000,
      });
      const result = JSON.parse(out.trim().split('\n').at(-1)!) as NonNullable<typeof best>;
      if (!best || result.ms_per_token < best.ms_per_token) best = result;
    } catch (error) {
      return { note: `PyTorch not measured (${String(error).split('\n')[0]})` };
    }
  }
  return {
    msPerToken: best!.ms_per_token,
    tokens: best!.tokens,
    note: `PyTorch ${best!.threads} thread(s), best of 1 and 2`,
  };
}

function agreement(a: number[], b: number[] | undefined): string {
  if (!b) return 'not compared';
  const at = a.findIndex((token, i) => token !== b[i]);
  return at < 0 && a.length === b.length ? 'equal' : `differ from token ${at}`;
}

export async function run() {
  const variants = await prepareVariants();
  console.log(`\n${variants.nativeNote}`);
  for (const run of configs) {
    const names = [...variants.backends.keys()].filter(run.variants);
    const models = new Map<string, gptModel.GPT>();
    for (const name of names) {
      const { backend } = variants.backends.get(name)!;
      if (models.has(backend)) continue;
      useVariant(variants, name);
      models.set(backend, new gptModel.GPT(run.config, { seed: 1 }));
    }
    const samples = new Map<string, number[]>(names.map((name) => [name, []]));
    const tokens = new Map<string, number[]>();
    // Interleaved rounds (one warm-up) so machine load hits every contender alike.
    for (let round = 0; round <= run.rounds; round++) {
      for (let k = 0; k < names.length; k++) {
        const name = names[(round + k) % names.length];
        useVariant(variants, name);
        const result = await generateOnce(models.get(variants.backends.get(name)!.backend)!);
        if (round > 0) samples.get(name)!.push(result.msPerToken);
        tokens.set(name, result.tokens);
      }
    }
    const dir = await mkdtemp(join(tmpdir(), 'lmkit-generate-bench-'));
    const first = models.values().next().value!;
    await first.save(dir);
    const torch = pytorchGenerate(run.config, join(dir, 'model.safetensors'));
    await rm(dir, { recursive: true, force: true });
    for (const model of models.values()) model.dispose();
    const results: BenchResult[] = names.map((name) => ({
      name,
      medianMs: median(samples.get(name)!),
      samplesMs: samples.get(name)!,
      speedupVsBaseline: 0,
    }));
    if (torch.msPerToken) {
      results.push({
        name: `PyTorch ${torch.note.split(',')[0].replace('PyTorch ', '')}`,
        medianMs: torch.msPerToken,
        samplesMs: [torch.msPerToken],
        speedupVsBaseline: 1,
      });
    }
    const baseline = results.at(-1)!;
    for (const r of results) r.speedupVsBaseline = baseline.medianMs / r.medianMs;
    printTable(
      {
        title: `Greedy generation ms/token, KV cache, batch 1, ${run.label}, prompt ${promptLength}, ${newTokens} new`,
      },
      results,
      baseline.name,
    );
    for (const name of names) {
      console.log(
        `- ${name}: greedy tokens vs PyTorch ${agreement(tokens.get(name)!, torch.tokens)}`,
      );
    }
    if (!torch.msPerToken) console.log(`- ${torch.note}`);
  }
}
