// Causal multi-head self-attention on GPT-2's packed qkv (B·T, 3C) as one op: a kernel family's
// fused LmkitCausalAttention when installed (its gradient recomputes the probabilities instead of
// storing them), else the same formula from tfjs ops. The model uses it for the plain causal case
// (no KV cache, no dropout on the probabilities); see ../../layers.ts.
import * as tf from '@tensorflow/tfjs-core';
import { GPTModelError } from '../../errors.ts';
import { hasKernel } from '../families.ts';

export const causalAttentionKernelName = 'LmkitCausalAttention';

export interface CausalAttentionShape {
  /** B: sequences in the batch. */
  batch: number;
  /** T: positions per sequence. */
  steps: number;
  /** H: heads; the width C must be divisible by it. */
  nHead: number;
}

/** Whether `causalAttention` runs a fused kernel on the active backend. */
export function fusedCausalAttentionAvailable(): boolean {
  return hasKernel(causalAttentionKernelName);
}

/**
 * Merged heads (B·T, C) of softmax(QKᵀ/√hs + causal mask)·V for qkv (B·T, 3C) (q | k | v column
 * blocks, heads of size C/H inside each): the input of c_proj. Differentiable in qkv.
 */
export function causalAttention(qkv: tf.Tensor2D, shape: CausalAttentionShape): tf.Tensor2D {
  const { batch, steps, nHead } = shape;
  for (const [name, value] of Object.entries({ batch, steps, nHead })) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
      throw new GPTModelError(
        `causalAttention ${name} must be an integer ≥ 1, got ${String(value)}; pass the model's ${name}`,
      );
  }
  const width = qkv.shape[1] / 3;
  if (qkv.shape[0] !== batch * steps || !Number.isInteger(width) || width % nHead !== 0) {
    throw new GPTModelError(
      `causalAttention needs qkv of shape (batch·steps, 3·C) = (${batch * steps}, 3·C) with C divisible by nHead ${nHead}, got [${qkv.shape}]; pass the c_attn output as 2-D`,
    );
  }
  if (qkv.dtype === 'float32' && fusedCausalAttentionAvailable()) {
    return tf
      .engine()
      .runKernel(causalAttentionKernelName, { qkv }, { batch, steps, nHead }) as tf.Tensor2D;
  }
  const headSize = width / nHead;
  return tf.tidy(() => {
    // (B·T, C) → (B, H, T, hs)
    const heads = (x: tf.Tensor) =>
      tf.transpose(tf.reshape(x, [batch, steps, nHead, headSize]), [0, 2, 1, 3]);
    const [q, k, v] = tf.split(qkv, 3, 1).map(heads);
    const visible = tf.linalg.bandPart(tf.ones([steps, steps]), -1, 0);
    const mask = tf.mul(tf.sub(1, visible), -1e9);
    const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(headSize)), mask);
    const out = tf.matMul(tf.softmax(scores), v); // (B, H, T, hs)
    return tf.reshape(tf.transpose(out, [0, 2, 1, 3]), [batch * steps, width]) as tf.Tensor2D;
  });
}
