// Decode kernels for a GPT-2 with a KV cache (native/decode.c): embeddings, one whole block per
// kernel call (keys and values appended in place to a preallocated cache tensor the caller owns),
// and the final LayerNorm + tied head for the last position of each row. Inference only.
import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelFactory } from './kernel-factory.ts';
import { tensorMemory } from './tensor-memory.ts';

/** The addon functions this family adds (arrays are read and written in place). */
export type DecodeAddon = {
  /** out[i] = wte[ids[i]] + wpe[positions[i]] for rows of width C. */
  decodeEmbed(
    wte: Float32Array,
    wpe: Float32Array,
    ids: Int32Array,
    positions: Int32Array,
    out: Float32Array,
  ): void;
  /**
   * One GPT-2 block over x (batch·steps, C) into out; biases may be empty; dims = [batch, steps,
   * past, heads, capacity]; keys and values of the new positions are written into the caches
   * (batch, heads, capacity, C / heads) at past … past + steps − 1; padding[b] hides keys < it.
   */
  decodeBlock(
    x: Float32Array,
    out: Float32Array,
    ln1Weight: Float32Array,
    ln1Bias: Float32Array,
    qkvWeight: Float32Array,
    qkvBias: Float32Array,
    projWeight: Float32Array,
    projBias: Float32Array,
    ln2Weight: Float32Array,
    ln2Bias: Float32Array,
    fcWeight: Float32Array,
    fcBias: Float32Array,
    fcProjWeight: Float32Array,
    fcProjBias: Float32Array,
    kCache: Float32Array,
    vCache: Float32Array,
    padding: Int32Array,
    dims: Int32Array,
    epsilon: number,
  ): void;
  /** out (batch, V) = LayerNorm(last of each row's `steps` positions of x) · wteᵀ. */
  decodeLogits(
    x: Float32Array,
    lnWeight: Float32Array,
    lnBias: Float32Array,
    wte: Float32Array,
    out: Float32Array,
    steps: number,
    epsilon: number,
  ): void;
};

/** Names of the addon functions above (a stale build lacking one is not used). */
export const decodeAddonFunctions: readonly string[] = [
  'decodeEmbed',
  'decodeBlock',
  'decodeLogits',
];

/** Kernel names (a stable contract: gpt-model looks them up with tf.getKernel). */
export const decodeEmbedKernelName = 'LmkitDecodeEmbed';
export const decodeBlockKernelName = 'LmkitDecodeBlock';
export const decodeLogitsKernelName = 'LmkitDecodeLogits';

/** Attributes of LmkitDecodeEmbed: token ids and positions of the (batch·steps) new rows. */
export interface DecodeEmbedAttrs {
  ids: number[];
  positions: number[];
}

/**
 * Attributes of LmkitDecodeBlock. Inputs: x, ln1Weight, qkvWeight, projWeight, ln2Weight,
 * fcWeight, fcProjWeight, the optional biases (ln1Bias, qkvBias, projBias, ln2Bias, fcBias,
 * fcProjBias), and kCache / vCache (batch, heads, capacity, head size) that the kernel WRITES
 * in place: they must be tensors private to one decoding run, never read by other ops.
 */
export interface DecodeBlockAttrs {
  batch: number;
  steps: number;
  /** Positions already in the cache. */
  past: number;
  nHead: number;
  /** Per row: keys before this index are left padding and stay hidden. */
  padding: number[];
  epsilon: number;
}

/** Attributes of LmkitDecodeLogits (inputs x, lnWeight, optional lnBias, wte). */
export interface DecodeLogitsAttrs {
  steps: number;
  epsilon: number;
}

const empty = new Float32Array(0);

const embed: KernelFactory = (addon, backendName) => (args) => {
  const { wte, wpe } = args.inputs as { wte: TensorInfo; wpe: TensorInfo };
  const { ids, positions } = args.attrs as unknown as DecodeEmbedAttrs;
  const memory = tensorMemory(backendName, args.backend as KernelBackend);
  const out = memory.allocate([ids.length, wte.shape[1]]);
  addon.decodeEmbed(
    memory.view(wte),
    memory.view(wpe),
    Int32Array.from(ids),
    Int32Array.from(positions),
    out.view(),
  );
  return out.info;
};

const blockWeights = ['ln1', 'qkv', 'proj', 'ln2', 'fc', 'fcProj'] as const;
/** decodeBlock's weight and bias arguments, in order: those between `out` and the caches. */
type BlockWeightArgs =
  Parameters<DecodeAddon['decodeBlock']> extends [
    Float32Array,
    Float32Array,
    ...infer Weights,
    Float32Array,
    Float32Array,
    Int32Array,
    Int32Array,
    number,
  ]
    ? Weights
    : never;

const block: KernelFactory = (addon, backendName) => (args) => {
  const inputs = args.inputs as Record<string, TensorInfo | undefined>;
  const attrs = args.attrs as unknown as DecodeBlockAttrs;
  const memory = tensorMemory(backendName, args.backend as KernelBackend);
  const x = inputs.x!;
  const out = memory.allocate([...x.shape]);
  const view = (name: string) => {
    const tensor = inputs[name];
    return tensor ? memory.view(tensor) : empty;
  };
  const weights = blockWeights.flatMap((name) => [view(`${name}Weight`), view(`${name}Bias`)]);
  const capacity = inputs.kCache!.shape[2];
  addon.decodeBlock(
    memory.view(x),
    out.view(),
    ...(weights as BlockWeightArgs),
    memory.view(inputs.kCache!),
    memory.view(inputs.vCache!),
    Int32Array.from(attrs.padding),
    Int32Array.of(attrs.batch, attrs.steps, attrs.past, attrs.nHead, capacity),
    attrs.epsilon,
  );
  return out.info;
};

const logits: KernelFactory = (addon, backendName) => (args) => {
  const { x, lnWeight, lnBias, wte } = args.inputs as Record<string, TensorInfo>;
  const { steps, epsilon } = args.attrs as unknown as DecodeLogitsAttrs;
  const memory = tensorMemory(backendName, args.backend as KernelBackend);
  const out = memory.allocate([x.shape[0] / steps, wte.shape[0]]);
  addon.decodeLogits(
    memory.view(x),
    memory.view(lnWeight),
    lnBias ? memory.view(lnBias) : empty,
    memory.view(wte),
    out.view(),
    steps,
    epsilon,
  );
  return out.info;
};

export const decodeKernels: Record<string, KernelFactory> = {
  [decodeEmbedKernelName]: embed,
  [decodeBlockKernelName]: block,
  [decodeLogitsKernelName]: logits,
};
