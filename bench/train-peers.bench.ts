// Training tokens per second against PyTorch, each peer in a process of its own with nothing else
// running: this process only starts children one after another and reads their one-line JSON.
// Ours: `lmkit-train bench --preset a|b` (forward, backward, clipping at 1, AdamW; wasm + the
// native kernels) at 1 and 2 native threads. PyTorch 1.13 (Debian python3-torch):
// bench/pytorch/gpt_train_bench.py with the same model, GPT-2's initialisation, clipping and AdamW
// (β 0.9/0.95, weight decay 0.1), at three thread settings, its best on these machines first
// (PERF-NOTES: torch.set_num_threads(1) with OPENBLAS_NUM_THREADS=2). Rounds rotate the order, so
// a neighbour's load hits every contender alike; medians over rounds of each run's median step.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lmkitTrainBench, median } from './harness.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const python = '/usr/bin/python3';
const torchScript = join(repoRoot, 'bench/pytorch/gpt_train_bench.py');

/** gpt-model's `cpu-small` and `cpu-medium`, as `lmkit-train bench` runs them. */
const presets = {
  a: { layers: 4, heads: 4, width: 128, context: 128, vocab: 4096, batch: 8, steps: 10 },
  b: { layers: 6, heads: 6, width: 384, context: 256, vocab: 8192, batch: 4, steps: 5 },
} as const;

interface Peer {
  name: string;
  torch: boolean;
  /** One run in a process of its own: tokens per second, or why it failed. */
  run: (preset: keyof typeof presets) => number | string;
}

const ours = (threads: number): Peer => ({
  name: `lmkit, wasm + native, ${threads} thread${threads > 1 ? 's' : ''}`,
  torch: false,
  run: (preset) => {
    const result = lmkitTrainBench({
      preset,
      steps: presets[preset].steps,
      warmup: 2,
      native: true,
      env: { LMKIT_TFJS_NATIVE_THREADS: String(threads) },
    });
    return 'error' in result ? result.error : Number(result.tokens_per_second);
  },
});

const pytorch = (threads: number, blasThreads: number): Peer => ({
  name: `PyTorch, set_num_threads(${threads}), OpenBLAS ${blasThreads}`,
  torch: true,
  run: (preset) => {
    const p = presets[preset];
    const args = [
      torchScript,
      ...['--layers', p.layers, '--heads', p.heads, '--width', p.width, '--context', p.context],
      ...['--vocab', p.vocab, '--batch', p.batch, '--steps', p.steps, '--warmup', 2],
      ...['--optimizer', 'adamw', '--threads', threads],
    ].map(String);
    const child = spawnSync(python, args, {
      cwd: repoRoot,
      encoding: 'utf8',
      env: {
        ...process.env,
        OPENBLAS_NUM_THREADS: String(blasThreads),
        OMP_NUM_THREADS: String(threads),
      },
      timeout: 600_000,
    });
    const line = child.stdout?.trim().split('\n').at(-1) ?? '';
    if (child.status !== 0 || !line.startsWith('{'))
      return `failed (${child.status}): ${child.stderr?.trim().split('\n').at(-1)}`;
    return JSON.parse(line).tokens_per_s;
  },
});

function torchMissing(): string | undefined {
  if (!existsSync(python)) return `${python} missing (apt-get install python3-torch)`;
  const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
  return probe.status === 0
    ? undefined
    : `python3-torch does not import (apt-get install python3-torch): ${probe.stderr.trim().split('\n').at(-1)}`;
}

export function run(): void {
  const missing = torchMissing();
  const peers = [
    ours(1),
    ours(2),
    ...(missing ? [] : [pytorch(1, 2), pytorch(2, 1), pytorch(2, 2)]),
  ];
  if (missing) console.log(`- PyTorch not measured: ${missing}`);
  const rounds = Number(process.env.LMKIT_BENCH_ROUNDS ?? 3);
  for (const preset of ['a', 'b'] as const) {
    const samples = new Map<string, number[]>(peers.map((peer) => [peer.name, []]));
    const errors = new Map<string, string>();
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < peers.length; k++) {
        const peer = peers[(round + k) % peers.length];
        const result = peer.run(preset);
        if (typeof result === 'string') errors.set(peer.name, result);
        else samples.get(peer.name)!.push(result);
      }
    }
    const p = presets[preset];
    console.log(
      `\n## Training step, config (${preset}) ${p.layers}L/${p.heads}H/${p.width}, T ${p.context}, V ${p.vocab}, B ${p.batch}: tokens/s, each run a process of its own (${rounds} rounds)`,
    );
    const medians = peers.map((peer) => {
      const values = samples.get(peer.name)!;
      return { peer, tokens: values.length ? median(values) : Number.NaN, values };
    });
    const torchBest = Math.max(...medians.filter((m) => m.peer.torch).map((m) => m.tokens));
    console.log('| contender | median tok/s | runs | ÷ best PyTorch |');
    console.log('| --- | --- | --- | --- |');
    for (const { peer, tokens, values } of medians) {
      const error = errors.get(peer.name);
      const ratio = Number.isFinite(torchBest) ? `${(tokens / torchBest).toFixed(2)}×` : '—';
      console.log(
        `| ${peer.name} | ${Number.isFinite(tokens) ? Math.round(tokens).toLocaleString('en-US') : '—'} | ${values.map((v) => Math.round(v)).join(', ')}${error ? `; ${error}` : ''} | ${ratio} |`,
      );
    }
  }
}
