"""PyTorch side of bench/native-generate.bench.ts: greedy GPT-2 decoding with a KV cache (one
prefill of the prompt, then one token per forward), batch 1, under torch.inference_mode. Weights
come from a model.safetensors written by lmkit's model.save() (parsed here, no safetensors
package needed) or from a seeded N(0, 0.02²) init. Prints one JSON line: the median ms per
generated token (wall and process CPU) over the runs and the greedy tokens.

Usage: python3 gpt_generate_bench.py --layers 4 --heads 4 --width 128 --context 128 --vocab 4096
       [--weights dir/model.safetensors] --prompt 1,2,3 --new-tokens 64 --runs 3
"""
import argparse
import json
import math
import statistics
import struct
import time

import torch
import torch.nn.functional as F

DTYPES = {'F32': torch.float32, 'F16': torch.float16, 'BF16': torch.bfloat16}


def read_safetensors(path):
    """Tensors of a .safetensors file: u64 little-endian header size, JSON header, raw data."""
    with open(path, 'rb') as f:
        blob = f.read()
    (size,) = struct.unpack('<Q', blob[:8])
    header = json.loads(blob[8:8 + size])
    data = memoryview(blob)[8 + size:]
    tensors = {}
    for name, entry in header.items():
        if name == '__metadata__':
            continue
        begin, end = entry['data_offsets']
        flat = torch.frombuffer(bytearray(data[begin:end]), dtype=DTYPES[entry['dtype']])
        name = name[len('transformer.'):] if name.startswith('transformer.') else name
        tensors[name] = flat.reshape(entry['shape']).float()
    return tensors


def init_weights(args):
    """GPT-2's init (N(0, 0.02²) matrices, LayerNorm 1/0, zero biases), Conv1D [in, out] layout."""
    g = torch.Generator().manual_seed(0)
    c, w = args.width, {}
    normal = lambda *shape: torch.randn(*shape, generator=g) * 0.02  # noqa: E731
    w['wte.weight'] = normal(args.vocab, c)
    w['wpe.weight'] = normal(args.context, c)
    for i in range(args.layers):
        p = f'h.{i}.'
        for ln in ('ln_1', 'ln_2'):
            w[p + ln + '.weight'] = torch.ones(c)
            w[p + ln + '.bias'] = torch.zeros(c)
        for name, shape in (('attn.c_attn', (c, 3 * c)), ('attn.c_proj', (c, c)),
                            ('mlp.c_fc', (c, 4 * c)), ('mlp.c_proj', (4 * c, c))):
            w[p + name + '.weight'] = normal(*shape)
            w[p + name + '.bias'] = torch.zeros(shape[1])
    w['ln_f.weight'] = torch.ones(c)
    w['ln_f.bias'] = torch.zeros(c)
    return w


class KVGPT:
    """GPT-2 forward over new positions, keys and values appended to preallocated buffers."""

    def __init__(self, w, args):
        self.w, self.layers, self.heads, self.width = w, args.layers, args.heads, args.width
        self.head_size = args.width // args.heads
        self.context = args.context

    def reset(self):
        shape = (1, self.heads, self.context, self.head_size)
        self.k = [torch.empty(shape) for _ in range(self.layers)]
        self.v = [torch.empty(shape) for _ in range(self.layers)]
        self.length = 0

    def linear(self, x, name):
        return torch.addmm(self.w[name + '.bias'], x, self.w[name + '.weight'])

    def ln(self, x, name):
        return F.layer_norm(x, (self.width,), self.w[name + '.weight'], self.w[name + '.bias'], 1e-5)

    def forward(self, ids):
        """Logits (V) of the last of `ids` (a 1-D tensor of new tokens)."""
        w, t, past = self.w, ids.shape[0], self.length
        x = w['wte.weight'][ids] + w['wpe.weight'][past:past + t]
        scale = 1 / math.sqrt(self.head_size)
        mask = None
        if t > 1:
            mask = torch.ones(t, past + t, dtype=torch.bool).tril(diagonal=past)
        for i in range(self.layers):
            p = f'h.{i}.'
            qkv = self.linear(self.ln(x, p + 'ln_1'), p + 'attn.c_attn')
            q, k, v = (z.view(t, self.heads, self.head_size).transpose(0, 1)
                       for z in qkv.split(self.width, dim=1))
            self.k[i][0, :, past:past + t] = k
            self.v[i][0, :, past:past + t] = v
            keys = self.k[i][0, :, :past + t]
            values = self.v[i][0, :, :past + t]
            scores = (q @ keys.transpose(-2, -1)) * scale
            if mask is not None:
                scores = scores.masked_fill(~mask, float('-inf'))
            y = (F.softmax(scores, dim=-1) @ values).transpose(0, 1).reshape(t, self.width)
            x = x + self.linear(y, p + 'attn.c_proj')
            h = F.gelu(self.linear(self.ln(x, p + 'ln_2'), p + 'mlp.c_fc'), approximate='tanh')
            x = x + self.linear(h, p + 'mlp.c_proj')
        self.length = past + t
        last = self.ln(x[-1:], 'ln_f')
        return (last @ w['wte.weight'].t())[0]


def generate(model, prompt, new_tokens):
    """Greedy tokens and the wall time of the decode steps (prefill excluded), in ms."""
    model.reset()
    logits = model.forward(torch.tensor(prompt))
    tokens = [int(torch.argmax(logits))]
    start, cpu_start = time.perf_counter(), time.process_time()
    for _ in range(new_tokens - 1):
        logits = model.forward(torch.tensor(tokens[-1:]))
        tokens.append(int(torch.argmax(logits)))
    return tokens, (time.perf_counter() - start) * 1000, (time.process_time() - cpu_start) * 1000


def main():
    parser = argparse.ArgumentParser()
    for name in ('layers', 'heads', 'width', 'context', 'vocab'):
        parser.add_argument(f'--{name}', type=int, required=True)
    parser.add_argument('--weights')
    parser.add_argument('--prompt', required=True)
    parser.add_argument('--new-tokens', type=int, default=64)
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--threads', type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    weights = read_safetensors(args.weights) if args.weights else init_weights(args)
    model = KVGPT(weights, args)
    prompt = [int(t) for t in args.prompt.split(',')]
    per_token, cpu_per_token = [], []
    steps = max(1, args.new_tokens - 1)
    with torch.inference_mode():
        generate(model, prompt, args.new_tokens)  # warm-up
        for _ in range(args.runs):
            tokens, ms, cpu_ms = generate(model, prompt, args.new_tokens)
            per_token.append(ms / steps)
            cpu_per_token.append(cpu_ms / steps)
    print(json.dumps({
        'ms_per_token': statistics.median(per_token),
        'cpu_ms_per_token': statistics.median(cpu_per_token),
        'tokens': tokens,
        'torch': torch.__version__,
        'threads': torch.get_num_threads(),
    }))


if __name__ == '__main__':
    main()
