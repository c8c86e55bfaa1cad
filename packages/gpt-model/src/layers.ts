// The building blocks of a GPT-2 block on tfjs-core ops: linear layers in Conv1D [in, out] layout,
// causal multi-head self-attention with an optional KV cache, and the causal mask; LayerNorm and
// GELU (with hand-written gradients) come from fused.ts.
import * as tf from '@tensorflow/tfjs-core';

export { gelu, layerNorm, layerNormEpsilon } from './fused.ts';

export function linear(x: tf.Tensor2D, weight: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor2D {
  const y = tf.matMul(x, weight) as tf.Tensor2D;
  return bias ? (tf.add(y, bias) as tf.Tensor2D) : y;
}

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
  dropout: (x: tf.Tensor) => tf.Tensor;
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
  return tf.tensor4d(data, [rows, 1, steps, keys]);
}
