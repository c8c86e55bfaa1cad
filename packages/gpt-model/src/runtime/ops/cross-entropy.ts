// Masked, weighted next-token cross-entropy as one op: a kernel family's fused LmkitCrossEntropy
// when installed (one pass for the row log-sum-exps, one for the gradient), else one taped op whose
// backward pass is (softmax − one-hot) · weight instead of autodiff over its pieces.
import * as tf from '@tensorflow/tfjs-core';
import { GPTModelError } from '../../errors.ts';
import { hasKernel } from '../families.ts';

export const crossEntropyKernelName = 'LmkitCrossEntropy';

/**
 * Σᵢ weightᵢ · (logsumexp(logitsᵢ) − logitsᵢ[targetᵢ]) for logits (N, V); the weights (N) carry
 * the loss mask and the 1/count of the mean. Gradient: (softmax − one-hot) · weight.
 */
export function crossEntropy(
  logits: tf.Tensor2D,
  targets: tf.Tensor1D,
  weights: tf.Tensor1D,
): tf.Scalar {
  const rows = logits.shape[0];
  if (
    logits.rank !== 2 ||
    targets.shape.join() !== `${rows}` ||
    weights.shape.join() !== `${rows}`
  ) {
    throw new GPTModelError(
      `crossEntropy needs logits (N, V), targets (N) and weights (N); got [${logits.shape}], [${targets.shape}] and [${weights.shape}]`,
    );
  }
  if (targets.dtype !== 'int32') {
    throw new GPTModelError(
      `crossEntropy targets must be int32 token ids, got ${targets.dtype}; cast them with tf.cast(targets, 'int32')`,
    );
  }
  if (hasKernel(crossEntropyKernelName) && logits.dtype === 'float32') {
    // A family's kernel (@lmkit/tfjs-native): one pass for the row log-sum-exps, one for the gradient.
    const [loss] = tf
      .engine()
      .runKernel(crossEntropyKernelName, { logits, targets, weights }, {}) as [
      tf.Scalar,
      tf.Tensor1D,
    ];
    return loss;
  }
  const vocab = logits.shape[1];
  const op = tf.customGrad(((z: tf.Tensor2D, save: tf.GradSaveFunc) => {
    const max = tf.max(z, -1, true);
    const exp = tf.exp(tf.sub(z, max));
    const sum = tf.sum(exp, -1, true);
    const logSumExp = tf.reshape(tf.add(tf.log(sum), max), [-1]);
    const rows = tf.range(0, z.shape[0] * vocab, vocab, 'int32');
    const picked = tf.gather(tf.reshape(z, [-1]), tf.add(rows, targets));
    // Tensors the backward pass needs must be saved: the caller's tidy disposes the rest.
    save([tf.div(exp, sum), targets, weights]);
    return {
      value: tf.sum(tf.mul(tf.sub(logSumExp, picked), weights)),
      gradFunc: (dy: tf.Tensor, [probabilities, savedTargets, savedWeights]: tf.Tensor[]) => {
        // int32 then cast: the wasm OneHot kernel writes integer bits into float32 outputs.
        // (tf.oneHot refuses depth 1: a one-word vocabulary's one-hot is all ones.)
        const oneHot =
          vocab === 1
            ? tf.onesLike(probabilities)
            : tf.cast(tf.oneHot(savedTargets as tf.Tensor1D, vocab), 'float32');
        const residual = tf.sub(probabilities, oneHot);
        return [tf.mul(residual, tf.reshape(tf.mul(savedWeights, dy), [-1, 1]))];
      },
    };
  }) as never) as (z: tf.Tensor2D) => tf.Scalar;
  return op(logits);
}
