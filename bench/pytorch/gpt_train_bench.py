"""PyTorch side of bench/gpt.bench.ts, native-train.bench.ts and train-peers.bench.ts: the same GPT-2
architecture (pre-LayerNorm, tanh GELU, tied head, GPT-2's initialisation) trained with plain SGD or,
with --optimizer adamw, clipping at norm 1 and AdamW as `lmkit-train bench` does; prints the median
step time (wall clock and process CPU time) after warm-up as one JSON line.

--threads N calls torch.set_num_threads(N) (intra-op threads); OpenBLAS's own threads come from
OPENBLAS_NUM_THREADS in the environment. Best setting on our 2-core machines: --threads 1 with
OPENBLAS_NUM_THREADS=2 (PERF-NOTES).

Usage: python3 gpt_train_bench.py --layers 4 --heads 4 --width 128 --context 128 --vocab 4096 --batch 8
"""
import argparse
import json
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.ln_1 = nn.LayerNorm(width, eps=1e-5)
        self.c_attn = nn.Linear(width, 3 * width)
        self.c_proj = nn.Linear(width, width)
        self.ln_2 = nn.LayerNorm(width, eps=1e-5)
        self.c_fc = nn.Linear(width, 4 * width)
        self.mlp_proj = nn.Linear(4 * width, width)

    def forward(self, x, mask):
        b, t, c = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(c, dim=2)
        shape = (b, t, self.heads, c // self.heads)
        q, k, v = (z.view(shape).transpose(1, 2) for z in (q, k, v))
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(c // self.heads)
        scores = scores.masked_fill(mask[:t, :t] == 0, float('-inf'))
        y = (F.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(b, t, c)
        x = x + self.c_proj(y)
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate='tanh'))


class GPT(nn.Module):
    def __init__(self, vocab, context, layers, heads, width):
        super().__init__()
        self.wte = nn.Embedding(vocab, width)
        self.wpe = nn.Embedding(context, width)
        self.blocks = nn.ModuleList(Block(width, heads) for _ in range(layers))
        self.ln_f = nn.LayerNorm(width, eps=1e-5)
        self.register_buffer('mask', torch.tril(torch.ones(context, context)))
        for p in self.parameters():
            if p.dim() == 2:
                nn.init.normal_(p, std=0.02)

    def forward(self, ids, targets):
        t = ids.shape[1]
        x = self.wte(ids) + self.wpe(torch.arange(t))
        for block in self.blocks:
            x = block(x, self.mask)
        logits = self.ln_f(x) @ self.wte.weight.t()
        return F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.reshape(-1))


def main():
    parser = argparse.ArgumentParser()
    for name in ('layers', 'heads', 'width', 'context', 'vocab', 'batch'):
        parser.add_argument(f'--{name}', type=int, required=True)
    parser.add_argument('--steps', type=int, default=5)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--optimizer', choices=('sgd', 'adamw'), default='sgd')
    parser.add_argument('--threads', type=int, default=0, help='torch.set_num_threads (0: leave it)')
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = GPT(args.vocab, args.context, args.layers, args.heads, args.width)
    if args.optimizer == 'adamw':
        optimizer = torch.optim.AdamW(
            model.parameters(), lr=3e-4, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1)
    else:
        optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
    ids = torch.randint(0, args.vocab, (args.batch, args.context + 1))
    times = []
    cpu_times = []
    for step in range(args.warmup + args.steps):
        start = time.perf_counter()
        cpu_start = time.process_time()
        loss = model(ids[:, :-1], ids[:, 1:])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if args.optimizer == 'adamw':
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        loss.item()
        if step >= args.warmup:
            times.append((time.perf_counter() - start) * 1000)
            cpu_times.append((time.process_time() - cpu_start) * 1000)
    median_ms = statistics.median(times)
    print(json.dumps({
        'median_ms': median_ms,
        'tokens_per_s': args.batch * args.context / (median_ms / 1000),
        'cpu_median_ms': statistics.median(cpu_times),
        'torch': torch.__version__,
        'threads': torch.get_num_threads(),
        'optimizer': args.optimizer,
    }))


if __name__ == '__main__':
    main()
