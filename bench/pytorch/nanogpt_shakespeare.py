"""nanoGPT's CPU Shakespeare-char recipe, re-written small for lmkit's side-by-side bench.

Byte-level (every byte of the ASCII text is one token, as lmkit's no-merge tokenizer), first 90 %
train / last 10 % validation, 4 layers, 4 heads, 128 wide, block 64, batch 12, no bias in the
linear layers (LayerNorm keeps PyTorch 1.13's bias), dropout 0, tied head,
AdamW (lr 1e-3 -> 1e-4 cosine over 2000 iters, warm-up 100, betas 0.9/0.99, decay 0.1 on 2-D
weights), clip 1.0, evaluation every 250 iters on 20 batches. Prints one JSON line per evaluation:
{"iter", "wall_s", "train_loss", "val_loss"} and a final {"done": true, ...} line.
Runs at PyTorch's best setting on our 2-core machines (PERF-NOTES): torch.set_num_threads(1), with
OpenBLAS's threads from OPENBLAS_NUM_THREADS (the bench sets 2).
Usage: python3 nanogpt_shakespeare.py TEXT_FILE [--iters N]
"""
import json
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

text_path = sys.argv[1]
iters = int(sys.argv[sys.argv.index('--iters') + 1]) if '--iters' in sys.argv else 2000
block, batch, layers, heads, width = 64, 12, 4, 4, 128
lr_max, lr_min, warmup, decay_iters = 1e-3, 1e-4, 100, 2000
eval_every, eval_batches = 250, 20
torch.set_num_threads(1)
torch.manual_seed(1337)

data = torch.frombuffer(bytearray(open(text_path, 'rb').read()), dtype=torch.uint8).long()
split = int(0.9 * len(data))
train_data, val_data = data[:split], data[split:]
vocab = 256


def get_batch(source):
    starts = torch.randint(len(source) - block, (batch,))
    x = torch.stack([source[s:s + block] for s in starts])
    y = torch.stack([source[s + 1:s + 1 + block] for s in starts])
    return x, y


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = nn.LayerNorm(width)
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.proj = nn.Linear(width, width, bias=False)
        self.ln_2 = nn.LayerNorm(width)
        self.fc = nn.Linear(width, 4 * width, bias=False)
        self.fc_proj = nn.Linear(4 * width, width, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(self.ln_1(x)).split(width, dim=2)
        q, k, v = (t.view(B, T, heads, C // heads).transpose(1, 2) for t in (q, k, v))  # (B, nh, T, hs)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True) if hasattr(F, 'scaled_dot_product_attention') else None
        if y is None:
            att = (q @ k.transpose(-2, -1)) / math.sqrt(C // heads)
            att = att.masked_fill(torch.triu(torch.ones(T, T, dtype=torch.bool), 1), float('-inf'))
            y = F.softmax(att, dim=-1) @ v
        x = x + self.proj(y.transpose(1, 2).contiguous().view(B, T, C))
        return x + self.fc_proj(F.gelu(self.fc(self.ln_2(x)), approximate='tanh'))


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(vocab, width)
        self.wpe = nn.Embedding(block, width)
        self.blocks = nn.ModuleList(Block() for _ in range(layers))
        self.ln_f = nn.LayerNorm(width)
        for name, p in self.named_parameters():
            if p.dim() == 2:
                std = 0.02 / math.sqrt(2 * layers) if name.endswith('proj.weight') else 0.02
                nn.init.normal_(p, 0.0, std)

    def forward(self, idx, targets):
        x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1]))
        for blk in self.blocks:
            x = blk(x)
        logits = self.ln_f(x) @ self.wte.weight.T  # tied head
        return F.cross_entropy(logits.view(-1, vocab), targets.view(-1))


model = GPT()
decay = [p for p in model.parameters() if p.dim() >= 2]
no_decay = [p for p in model.parameters() if p.dim() < 2]
optimizer = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.1}, {'params': no_decay, 'weight_decay': 0.0}],
                              lr=lr_max, betas=(0.9, 0.99))


def lr_at(it):
    if it < warmup:
        return lr_max * (it + 1) / warmup
    if it > decay_iters:
        return lr_min
    ratio = (it - warmup) / (decay_iters - warmup)
    return lr_min + 0.5 * (1 + math.cos(math.pi * ratio)) * (lr_max - lr_min)


@torch.no_grad()
def estimate(source):
    model.eval()
    losses = [model(*get_batch(source)).item() for _ in range(eval_batches)]
    model.train()
    return sum(losses) / len(losses)


start = time.time()
train_time = 0.0
for it in range(iters + 1):
    if it % eval_every == 0 or it == iters:
        train_loss, val_loss = estimate(train_data), estimate(val_data)
        print(json.dumps({'iter': it, 'wall_s': time.time() - start, 'train_loss': train_loss,
                          'val_loss': val_loss}), flush=True)
    if it == iters:
        break
    step_start = time.time()
    for group in optimizer.param_groups:
        group['lr'] = lr_at(it)
    loss = model(*get_batch(train_data))
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    train_time += time.time() - step_start
print(json.dumps({'done': True, 'wall_s': time.time() - start, 'train_s': train_time,
                  'tokens_per_second': iters * batch * block / train_time, 'threads': torch.get_num_threads(),
                  'torch': torch.__version__}), flush=True)
