// llm.c checkpoints (train_gpt2.c): a 256 × int32 header (magic 20240326, version 3 = float32,
// maxT, V, L, H, C, padded V) then all weights in nn.Linear [out, in] layout, vocabulary rows
// padded with zeros to a multiple of 128, each kind of weight stacked over the layers.
import type { GPTConfig } from './config.ts';
import { GPTModelError } from './errors.ts';

export const llmcMagic = 20240326;
export const llmcVersion = 3;

export function paddedVocabSize(vocabSize: number): number {
  return Math.ceil(vocabSize / 128) * 128;
}

/** Kinds in file order: name suffix, whether it is a per-layer weight, whether to transpose. */
const layerKinds = [
  ['ln_1.weight', false],
  ['ln_1.bias', false],
  ['attn.c_attn.weight', true],
  ['attn.c_attn.bias', false],
  ['attn.c_proj.weight', true],
  ['attn.c_proj.bias', false],
  ['ln_2.weight', false],
  ['ln_2.bias', false],
  ['mlp.c_fc.weight', true],
  ['mlp.c_fc.bias', false],
  ['mlp.c_proj.weight', true],
  ['mlp.c_proj.bias', false],
] as const;

/** Transposes a row-major [rows, cols] matrix. */
function transpose(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  return out;
}

function shapeOf(name: string, C: number): [number, number] {
  if (name.includes('c_attn')) return [C, 3 * C];
  if (name.includes('c_fc')) return [C, 4 * C];
  if (name.includes('mlp.c_proj')) return [4 * C, C];
  return [C, C];
}

export function encodeLlmc(config: GPTConfig, weights: Map<string, Float32Array>): Uint8Array {
  if (!config.bias)
    throw new GPTModelError(
      'llm.c checkpoints always carry biases; this model has bias: false, so save it as safetensors',
    );
  const { vocabSize: V, blockSize: T, nLayer: L, nHead: H, nEmbd: C } = config;
  const Vp = paddedVocabSize(V);
  const chunks: Float32Array[] = [];
  const wte = new Float32Array(Vp * C);
  wte.set(weights.get('wte.weight')!);
  chunks.push(wte, weights.get('wpe.weight')!);
  for (const [kind, isMatrix] of layerKinds) {
    for (let i = 0; i < L; i++) {
      const values = weights.get(`h.${i}.${kind}`)!;
      const [rows, cols] = shapeOf(kind, C);
      chunks.push(isMatrix ? transpose(values, rows, cols) : values);
    }
  }
  chunks.push(weights.get('ln_f.weight')!, weights.get('ln_f.bias')!);
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(256 * 4 + total * 4);
  const header = new Int32Array(out.buffer, 0, 256);
  header.set([llmcMagic, llmcVersion, T, V, L, H, C, Vp]);
  const body = new Float32Array(out.buffer, 256 * 4, total);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

export function decodeLlmc(bytes: Uint8Array): {
  config: GPTConfig;
  weights: Record<string, Float32Array>;
} {
  if (bytes.length < 1024)
    throw new GPTModelError(`llm.c file has ${bytes.length} bytes; the header alone is 1024`);
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : new Uint8Array(bytes);
  const header = new Int32Array(aligned.buffer, aligned.byteOffset, 256);
  if (header[0] !== llmcMagic)
    throw new GPTModelError(
      `llm.c magic is ${header[0]}, expected ${llmcMagic}; this is not an llm.c GPT-2 checkpoint`,
    );
  if (header[1] !== llmcVersion)
    throw new GPTModelError(
      `llm.c version is ${header[1]}; only version ${llmcVersion} (float32) is supported — export float32 from llm.c`,
    );
  const [, , T, V, L, H, C, Vp] = header;
  const config: GPTConfig = {
    vocabSize: V,
    blockSize: T,
    nLayer: L,
    nHead: H,
    nEmbd: C,
    dropout: 0,
    bias: true,
  };
  const total = Vp * C + T * C + L * (12 * C * C + 13 * C) + 2 * C;
  if (aligned.length !== 1024 + total * 4)
    throw new GPTModelError(
      `llm.c file has ${aligned.length} bytes; its header (V ${V}, padded ${Vp}, T ${T}, L ${L}, C ${C}) needs ${1024 + total * 4}`,
    );
  const body = new Float32Array(aligned.buffer, aligned.byteOffset + 1024, total);
  let at = 0;
  const take = (count: number) => {
    at += count;
    return body.slice(at - count, at);
  };
  const weights: Record<string, Float32Array> = {};
  weights['wte.weight'] = take(Vp * C).slice(0, V * C);
  weights['wpe.weight'] = take(T * C);
  for (const [kind, isMatrix] of layerKinds) {
    const [rows, cols] = shapeOf(kind, C);
    const size =
      kind.endsWith('weight') && isMatrix
        ? rows * cols
        : kind.includes('c_attn')
          ? 3 * C
          : kind.includes('c_fc')
            ? 4 * C
            : C;
    for (let i = 0; i < L; i++) {
      const values = take(size);
      weights[`h.${i}.${kind}`] = isMatrix ? transpose(values, cols, rows) : values;
    }
  }
  weights['ln_f.weight'] = take(C);
  weights['ln_f.bias'] = take(C);
  return { config, weights };
}
