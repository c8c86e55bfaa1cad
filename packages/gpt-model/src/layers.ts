// The building blocks of a GPT-2 block: causal multi-head self-attention with an optional KV
// cache (one fused op from the runtime for the plain causal case) and the causal mask. Linear
// layers (Conv1D [in, out] layout), LayerNorm and GELU are the runtime's ops.
import * as tf from '@tensorflow/tfjs-core';
import { causalAttention, fusedCausalAttentionAvailable } from './runtime/ops/attention.ts';
import { linear } from './runtime/ops/layers.ts';

export { gelu, layerNorm, layerNormEpsilon, linear } from './runtime/ops/layers.ts';

export interface AttentionWeights {
  qkvWeight: tf.Tensor2D;
  qkvBias?: tf.Tensor1D;
  projWeight: tf.Tensor2D;
  projBias?: tf.Tensor1D;
}

export interface AttentionInput {
  /** (B·t, C) activations of the new positions. */
  x: tf.Tensor2D;
  batch: number;
  steps: number;
  nHead: number;
  /** Additive mask broadcastable to (B, H, t, past + t): 0 where a key is visible, -1e9 elsewhere. */
  mask: tf.Tensor;
  /** Cached keys and values of earlier positions, (B, H, past, head size) each. */
  past?: { k: tf.Tensor4D; v: tf.Tensor4D };
  /** Applied to the attention probabilities; the identity when dropout is off. */
  dropout: (x: tf.Tensor) => tf.Tensor;
  /**
   * Whether `dropout` acts (training with dropout > 0). When omitted it is detected by applying
   * `dropout` to a scalar: an identity returns its input unchanged.
   */
  dropoutActive?: boolean;
}

/** Masks made by `causalMask` that are the plain causal triangle (no cache, no left padding). */
const plainCausalMasks = new WeakSet<tf.Tensor>();

/** Probe results per dropout function (a forward pass shares one across its layers). */
const probedDropouts = new WeakMap<AttentionInput['dropout'], boolean>();

function dropoutActive(input: AttentionInput): boolean {
  if (input.dropoutActive !== undefined) return input.dropoutActive;
  let active = probedDropouts.get(input.dropout);
  if (active === undefined) {
    active = tf.tidy(() => {
      const probe = tf.scalar(0);
      return input.dropout(probe) !== probe;
    });
    probedDropouts.set(input.dropout, active);
  }
  return active;
}

/**
 * Whether the fused kernel can replace the tfjs ops: it is registered for the active backend, no
 * KV cache feeds earlier keys in, the mask is the plain causal one, and no dropout acts on the
 * probabilities.
 */
function canFuse(input: AttentionInput): boolean {
  return (
    input.past === undefined &&
    plainCausalMasks.has(input.mask) &&
    fusedCausalAttentionAvailable() &&
    !dropoutActive(input)
  );
}

function splitHeads(x: tf.Tensor2D, batch: number, steps: number, nHead: number): tf.Tensor4D {
  const headSize = x.shape[1] / nHead;
  return tf.transpose(tf.reshape(x, [batch, steps, nHead, headSize]), [0, 2, 1, 3]);
}

/** Returns the (B·t, C) output and the full keys and values (past and new), for a KV cache. */
export function causalSelfAttention(
  input: AttentionInput,
  weights: AttentionWeights,
): { y: tf.Tensor2D; k: tf.Tensor4D; v: tf.Tensor4D } {
  const { x, batch, steps, nHead, mask, past } = input;
  const width = x.shape[1];
  const qkv = linear(x, weights.qkvWeight, weights.qkvBias);
  if (qkv.dtype === 'float32' && canFuse(input)) return fusedAttention(input, qkv, weights);
  const [q2, k2, v2] = tf.split(qkv, 3, 1) as tf.Tensor2D[];
  const q = splitHeads(q2, batch, steps, nHead);
  let k = splitHeads(k2, batch, steps, nHead);
  let v = splitHeads(v2, batch, steps, nHead);
  if (past) {
    k = tf.concat([past.k, k], 2);
    v = tf.concat([past.v, v], 2);
  }
  const scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(width / nHead));
  const probabilities = input.dropout(tf.softmax(tf.add(scores, mask)));
  const heads = tf.matMul(probabilities as tf.Tensor4D, v);
  const merged = tf.reshape(tf.transpose(heads, [0, 2, 1, 3]), [
    batch * steps,
    width,
  ]) as tf.Tensor2D;
  return { y: linear(merged, weights.projWeight, weights.projBias), k, v };
}

/**
 * The fused path: one op from qkv to the merged heads. k and v, needed only to start a KV cache,
 * are split out when first read.
 */
function fusedAttention(
  input: AttentionInput,
  qkv: tf.Tensor2D,
  weights: AttentionWeights,
): { y: tf.Tensor2D; k: tf.Tensor4D; v: tf.Tensor4D } {
  const { batch, steps, nHead } = input;
  const merged = causalAttention(qkv, { batch, steps, nHead });
  const y = linear(merged, weights.projWeight, weights.projBias);
  let keysValues: { k: tf.Tensor4D; v: tf.Tensor4D } | undefined;
  const split = () => {
    if (!keysValues) {
      const [, k2, v2] = tf.split(qkv, 3, 1) as tf.Tensor2D[];
      keysValues = {
        k: splitHeads(k2, batch, steps, nHead),
        v: splitHeads(v2, batch, steps, nHead),
      };
    }
    return keysValues;
  };
  return {
    y,
    get k() {
      return split().k;
    },
    get v() {
      return split().v;
    },
  };
}

/**
 * Additive causal mask (B or 1, 1, t, past + t): key j is visible from new row r when
 * j ≤ past + r and j ≥ the row's left padding.
 */
export function causalMask(
  steps: number,
  past: number,
  leftPadding?: readonly number[],
): tf.Tensor4D {
  const keys = past + steps;
  const rows = leftPadding?.length ?? 1;
  const data = new Float32Array(rows * steps * keys);
  for (let b = 0; b < rows; b++) {
    const pad = leftPadding?.[b] ?? 0;
    for (let r = 0; r < steps; r++) {
      const offset = (b * steps + r) * keys;
      for (let j = 0; j < keys; j++) if (j > past + r || j < pad) data[offset + j] = -1e9;
    }
  }
  const mask = tf.tensor4d(data, [rows, 1, steps, keys]);
  if (past === 0 && !leftPadding?.some((pad) => pad > 0)) plainCausalMasks.add(mask);
  return mask;
}
