// llm.c's files. Checkpoints (train_gpt2.c / train_gpt2.cu): a 256 × int32 header (magic
// 20240326, version 3 = float32 or 5 = bfloat16, maxT, V, L, H, C, padded V) then all weights in
// nn.Linear [out, in] layout, vocabulary rows padded with zeros to a multiple of 128, each kind of
// weight stacked over the layers. Tokenizer files (gpt2_tokenizer.bin): a 256 × uint32 header
// (magic 20240328, version 2, V, end-of-text id) then each token as a length byte and its bytes;
// llm.c only decodes with it. Optimizer state files (state_*.bin) are not read here.
import type { GPTConfig } from './config.ts';
import { GPTModelError } from './errors.ts';

const llmcMagic = 20240326;
/** Header version of float32 checkpoints. */
export const llmcVersion = 3;
/** Header version of bfloat16 checkpoints (train_gpt2cu's default precision). */
export const llmcBfloat16Version = 5;
const llmcTokenizerMagic = 20240328;

/** Element type of an llm.c checkpoint's parameters. */
export type LlmcDtype = 'float32' | 'bfloat16';

/**
 * float32 → bfloat16 bits, rounding to nearest even (as PyTorch's `.to(torch.bfloat16)` and
 * CUDA's `__float2bfloat16` do); NaN stays a quiet NaN.
 *
 * @example float32ToBfloat16(new Float32Array([1, 1.00390625])) // Uint16Array [0x3f80, 0x3f80]
 */
export function float32ToBfloat16(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = bits[i];
    if ((x & 0x7fffffff) > 0x7f800000) out[i] = (x >>> 16) | 0x40;
    else out[i] = (x + 0x7fff + ((x >>> 16) & 1)) >>> 16;
  }
  return out;
}

/** bfloat16 bits → float32 (exact: bfloat16 is float32's upper half). */
export function bfloat16ToFloat32(values: Uint16Array): Float32Array {
  const out = new Uint32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] << 16;
  return new Float32Array(out.buffer);
}

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

/** An llm.c checkpoint of the weights (Hugging Face names); float32 unless `dtype` says so. */
export function encodeLlmc(
  config: GPTConfig,
  weights: Map<string, Float32Array>,
  options: { dtype?: LlmcDtype } = {},
): Uint8Array {
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
  const body = new Float32Array(total);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.length;
  }
  const bfloat16 = options.dtype === 'bfloat16';
  const out = new Uint8Array(256 * 4 + total * (bfloat16 ? 2 : 4));
  const header = new Int32Array(out.buffer, 0, 256);
  header.set([llmcMagic, bfloat16 ? llmcBfloat16Version : llmcVersion, T, V, L, H, C, Vp]);
  if (bfloat16) new Uint16Array(out.buffer, 256 * 4, total).set(float32ToBfloat16(body));
  else new Float32Array(out.buffer, 256 * 4, total).set(body);
  return out;
}

/** Config and float32 weights (Hugging Face names) of an llm.c checkpoint, float32 or bfloat16. */
export function decodeLlmc(bytes: Uint8Array): {
  config: GPTConfig;
  weights: Record<string, Float32Array>;
  dtype: LlmcDtype;
} {
  if (bytes.length < 1024)
    throw new GPTModelError(`llm.c file has ${bytes.length} bytes; the header alone is 1024`);
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : new Uint8Array(bytes);
  const header = new Int32Array(aligned.buffer, aligned.byteOffset, 256);
  if (header[0] !== llmcMagic)
    throw new GPTModelError(
      `llm.c magic is ${header[0]}, expected ${llmcMagic}; this is not an llm.c GPT-2 checkpoint`,
    );
  if (header[1] !== llmcVersion && header[1] !== llmcBfloat16Version)
    throw new GPTModelError(
      `llm.c version is ${header[1]}; versions ${llmcVersion} (float32) and ${llmcBfloat16Version} (bfloat16) are supported — write float32 or bfloat16 from llm.c`,
    );
  const dtype: LlmcDtype = header[1] === llmcBfloat16Version ? 'bfloat16' : 'float32';
  const width = dtype === 'bfloat16' ? 2 : 4;
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
  if (aligned.length !== 1024 + total * width)
    throw new GPTModelError(
      `llm.c file has ${aligned.length} bytes; its header (${dtype}, V ${V}, padded ${Vp}, T ${T}, L ${L}, C ${C}) needs ${1024 + total * width}`,
    );
  const body =
    dtype === 'bfloat16'
      ? bfloat16ToFloat32(new Uint16Array(aligned.slice(1024).buffer))
      : new Float32Array(aligned.buffer, aligned.byteOffset + 1024, total);
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
  return { config, weights, dtype };
}

/**
 * llm.c's tokenizer file from each id's bytes (ids 0..V-1 in order; llm.c prints a token's bytes
 * as they are, so a byte-level BPE's tokens decode exactly). Every token needs 1..255 bytes.
 */
export function encodeLlmcTokenizer(options: {
  tokens: readonly Uint8Array[];
  /** The end-of-text id llm.c starts its samples from. */
  eotToken: number;
}): Uint8Array {
  const { tokens, eotToken } = options;
  if (!Number.isInteger(eotToken) || eotToken < 0 || eotToken >= tokens.length)
    throw new GPTModelError(
      `end-of-text id ${eotToken} is outside the vocabulary 0..${tokens.length - 1}; give the tokenizer an <|endoftext|> token`,
    );
  let size = 1024;
  for (const [id, token] of tokens.entries()) {
    if (token.length < 1 || token.length > 255)
      throw new GPTModelError(
        `token ${id} has ${token.length} bytes; llm.c's tokenizer file holds 1 to 255 bytes per token`,
      );
    size += 1 + token.length;
  }
  const out = new Uint8Array(size);
  new Uint32Array(out.buffer, 0, 256).set([llmcTokenizerMagic, 2, tokens.length, eotToken]);
  let at = 1024;
  for (const token of tokens) {
    out[at] = token.length;
    out.set(token, at + 1);
    at += 1 + token.length;
  }
  return out;
}

/** Each id's bytes and the end-of-text id of an llm.c tokenizer file (version 2). */
export function decodeLlmcTokenizer(bytes: Uint8Array): { tokens: Uint8Array[]; eotToken: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 1024 || view.getUint32(0, true) !== llmcTokenizerMagic)
    throw new GPTModelError(
      `not an llm.c tokenizer file (magic ${bytes.length < 4 ? 'missing' : view.getUint32(0, true)}, expected ${llmcTokenizerMagic})`,
    );
  const version = view.getUint32(4, true);
  if (version !== 2)
    throw new GPTModelError(`llm.c tokenizer version is ${version}; only version 2 is read`);
  const count = view.getUint32(8, true);
  const tokens: Uint8Array[] = [];
  let at = 1024;
  for (let id = 0; id < count; id++) {
    const length = bytes[at];
    if (length === undefined || at + 1 + length > bytes.length)
      throw new GPTModelError(`llm.c tokenizer file ends inside token ${id} of ${count}`);
    tokens.push(bytes.slice(at + 1, at + 1 + length));
    at += 1 + length;
  }
  return { tokens, eotToken: view.getUint32(12, true) };
}
