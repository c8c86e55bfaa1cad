// GPT training steps (forward + backward + AdamW) with and without @lmkit/tfjs-native, for the
// issue's configs (a) and (b), next to the same model in PyTorch (Debian python3-torch) when
// installed. Prints tokens/s, ratios and model FLOP utilisation against a measured sgemm peak.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as gptModel from '@lmkit/gpt-model';
import { bench, median } from './harness.ts';
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
    config: {
      vocabSize: 4096,
      blockSize: 128,
      nLayer: 4,
      nHead: 4,
      nEmbd: 128,
      dropout: 0,
      bias: true,
    },
    batch: 8,
    rounds: 5,
    cpu: true,
  },
  {
    label: '(b) 6L/6H/384, T 256, V 8192, B 4',
    config: {
      vocabSize: 8192,
      blockSize: 256,
      nLayer: 6,
      nHead: 6,
      nEmbd: 384,
      dropout: 0,
      bias: true,
    },
    batch: 4,
    rounds: 3,
    cpu: false,
  },
];

/** One model with AdamW state on the current backend; `step()` runs a full training step. */
function trainer(config: GPTConfig, batch: number) {
  const model = new gptModel.GPT(config, { seed: 1 });
  const vars = [...model.parameters.values()] as unknown as Variable[];
  const moments = vars.map((v) => [tf.variable(tf.zerosLike(v)), tf.variable(tf.zerosLike(v))]);
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
  let t = 0;
  const dispose = () => {
    model.dispose();
    tf.dispose([ids, targets, ...moments.flat()]);
  };
  const step = () => {
    t++;
    const { value, grads } = tf.variableGrads(
      () => model.loss(ids as never, targets as never) as never,
      vars,
    );
    tf.tidy(() => {
      const [b1, b2, lr, wd, eps] = [0.9, 0.95, 3e-4, 0.1, 1e-8];
      vars.forEach((v, i) => {
        const g = grads[v.name];
        const [m, s] = moments[i];
        m.assign(tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1)));
        s.assign(tf.add(tf.mul(s, b2), tf.mul(tf.square(g), 1 - b2)));
        const update = tf.div(tf.div(m, 1 - b1 ** t), tf.add(tf.sqrt(tf.div(s, 1 - b2 ** t)), eps));
        v.assign(tf.sub(v, tf.mul(tf.add(update, tf.mul(v, wd)), lr)));
      });
    });
    const loss = value.dataSync()[0];
    value.dispose();
    tf.dispose(grads);
    return loss;
  };
  return { step, dispose };
}

const pytorchScript = `
import json, math, sys, time, torch, torch.nn as nn, torch.nn.functional as F
L, H, C, T, V, B, threads = map(int, sys.argv[1:8])
torch.manual_seed(1); torch.set_num_threads(threads)
class Block(nn.Module):
    def __init__(s):
        super().__init__(); s.ln1 = nn.LayerNorm(C); s.attn = nn.Linear(C, 3 * C); s.proj = nn.Linear(C, C)
        s.ln2 = nn.LayerNorm(C); s.fc = nn.Linear(C, 4 * C); s.fcp = nn.Linear(4 * C, C)
        s.register_buffer('mask', torch.full((T, T), float('-inf')).triu(1))
    def forward(s, x):
        q, k, v = s.attn(s.ln1(x)).split(C, 2)
        q, k, v = [z.view(B, T, H, C // H).transpose(1, 2) for z in (q, k, v)]
        a = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(C // H) + s.mask, -1) @ v
        x = x + s.proj(a.transpose(1, 2).reshape(B, T, C))
        return x + s.fcp(F.gelu(s.fc(s.ln2(x)), approximate='tanh'))
class GPT(nn.Module):
    def __init__(s):
        super().__init__(); s.wte = nn.Embedding(V, C); s.wpe = nn.Embedding(T, C)
        s.h = nn.ModuleList(Block() for _ in range(L)); s.lnf = nn.LayerNorm(C)
    def forward(s, idx, tgt):
        x = s.wte(idx) + s.wpe(torch.arange(T))
        for b in s.h: x = b(x)
        return F.cross_entropy((s.lnf(x) @ s.wte.weight.T).view(-1, V), tgt.view(-1))
m = GPT(); opt = torch.optim.AdamW(m.parameters(), lr=3e-4, betas=(0.9, 0.95), weight_decay=0.1)
idx = torch.randint(0, V, (B, T)); tgt = torch.randint(0, V, (B, T))
def step():
    opt.zero_grad(set_to_none=True); loss = m(idx, tgt); loss.backward(); opt.step()
for _ in range(2): step()
times = []; cpu = []
for _ in range(5):
    t0 = time.perf_counter(); c0 = time.process_time(); step()
    times.append(time.perf_counter() - t0); cpu.append(time.process_time() - c0)
times.sort(); cpu.sort()
print(json.dumps({"tokensPerSecond": B * T / times[2], "cpuMs": cpu[2] * 1000, "threads": threads}))
`;

/** PyTorch tokens/s at its best thread count, or a note why it was not measured. */
function pytorchTokensPerSecond(run: TrainConfig): {
  tokensPerSecond?: number;
  cpuMs?: number;
  note: string;
} {
  const python = '/usr/bin/python3';
  if (!existsSync(python)) return { note: 'PyTorch not measured: /usr/bin/python3 missing' };
  const { nLayer, nHead, nEmbd, blockSize, vocabSize } = run.config;
  let best: { tokensPerSecond: number; cpuMs: number; threads: number } | undefined;
  for (const threads of [1, 2]) {
    try {
      const out = execFileSync(
        python,
        [
          '-c',
          pytorchScript,
          ...[nLayer, nHead, nEmbd, blockSize, vocabSize, run.batch, threads].map(String),
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 },
      );
      const result = JSON.parse(out.trim().split('\n').at(-1)!) as {
        tokensPerSecond: number;
        cpuMs: number;
        threads: number;
      };
      if (!best || result.tokensPerSecond > best.tokensPerSecond) best = result;
    } catch (error) {
      return {
        note: `PyTorch not measured (python3-torch missing or failed: ${String(error).split('\n')[0]})`,
      };
    }
  }
  return {
    tokensPerSecond: best!.tokensPerSecond,
    cpuMs: best!.cpuMs,
    note: `PyTorch ${best!.threads} thread(s), best of 1 and 2`,
  };
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
    // Process CPU time per step too: steadier than wall time on a machine shared with others.
    const cpuMs = new Map<string, number[]>(names.map((name) => [name, []]));
    const results = bench({
      title: `GPT training step ${run.label}`,
      contenders: names.map((name) => ({
        name,
        before: () => useVariant(variants, name),
        run: () => {
          const start = process.cpuUsage();
          const loss = trainers.get(variants.backends.get(name)!.backend)!.step();
          const used = process.cpuUsage(start);
          cpuMs.get(name)!.push((used.user + used.system) / 1000);
          return loss;
        },
      })),
      baseline: names[0],
      rounds: run.rounds,
      units: { amount: tokens, label: 'tokens' },
    });
    for (const t of trainers.values()) t.dispose();
    const flops = gptModel.flopsPerToken(run.config, run.config.blockSize);
    const torch = pytorchTokensPerSecond(run);
    for (const r of results) {
      const mfu = (r.unitsPerSecond! * flops) / (peakGflops * 1e9);
      const vsTorch = torch.tokensPerSecond
        ? `, ${(r.unitsPerSecond! / torch.tokensPerSecond).toFixed(3)}× PyTorch`
        : '';
      const cpu = median(cpuMs.get(r.name)!.slice(-run.rounds));
      console.log(
        `- ${r.name}: ${r.unitsPerSecond!.toFixed(0)} tok/s, process CPU ${cpu.toFixed(0)} ms/step, MFU ${(mfu * 100).toFixed(1)} % of ${peakGflops} GFLOP/s${vsTorch}`,
      );
    }
    console.log(
      torch.tokensPerSecond
        ? `- PyTorch (AdamW): ${torch.tokensPerSecond.toFixed(0)} tok/s, process CPU ${torch.cpuMs!.toFixed(0)} ms/step (${torch.note})`
        : `- ${torch.note}`,
    );
  }
}
