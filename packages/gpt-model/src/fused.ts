// LayerNorm, GELU and cross-entropy as single taped ops (tf.customGrad) with hand-written
// backward passes: autodiff over their elementwise pieces costs several times more kernel calls
// and full-size temporaries, which dominate a CPU training step once the matmuls are fast.
import * as tf from '@tensorflow/tfjs-core';
import { columnSum } from './gradients.ts';
import { nativeKernel } from './native-kernels.ts';

export const layerNormEpsilon = 1e-5;
const geluScale = Math.sqrt(2 / Math.PI);
const geluCubic = 0.044715;

function normalise(x: tf.Tensor2D) {
  const mean = tf.mean(x, -1, true);
  const centred = tf.sub(x, mean);
  const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(centred), -1, true), layerNormEpsilon));
  return { xhat: tf.mul(centred, rstd) as tf.Tensor2D, rstd };
}

/** dL/dx of x̂ = (x − μ)·rstd given dL/dx̂. */
function normaliseBackward(dxhat: tf.Tensor, xhat: tf.Tensor, rstd: tf.Tensor): tf.Tensor {
  const meanD = tf.mean(dxhat, -1, true);
  const meanDX = tf.mean(tf.mul(dxhat, xhat), -1, true);
  return tf.mul(tf.sub(tf.sub(dxhat, meanD), tf.mul(xhat, meanDX)), rstd);
}

const layerNormWithBias = tf.customGrad(((
  x: tf.Tensor2D,
  w: tf.Tensor1D,
  b: tf.Tensor1D,
  save: tf.GradSaveFunc,
) => {
  const { xhat, rstd } = normalise(x);
  save([xhat, rstd, w]);
  return {
    value: tf.add(tf.mul(xhat, w), b),
    gradFunc: (dy: tf.Tensor, [savedXhat, savedRstd, savedW]: tf.Tensor[]) => [
      normaliseBackward(tf.mul(dy, savedW), savedXhat, savedRstd),
      columnSum(tf.mul(dy, savedXhat) as tf.Tensor2D),
      columnSum(dy as tf.Tensor2D),
    ],
  };
}) as never) as (x: tf.Tensor2D, w: tf.Tensor1D, b: tf.Tensor1D) => tf.Tensor2D;

const layerNormNoBias = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor1D, save: tf.GradSaveFunc) => {
  const { xhat, rstd } = normalise(x);
  save([xhat, rstd, w]);
  return {
    value: tf.mul(xhat, w),
    gradFunc: (dy: tf.Tensor, [savedXhat, savedRstd, savedW]: tf.Tensor[]) => [
      normaliseBackward(tf.mul(dy, savedW), savedXhat, savedRstd),
      columnSum(tf.mul(dy, savedXhat) as tf.Tensor2D),
    ],
  };
}) as never) as (x: tf.Tensor2D, w: tf.Tensor1D) => tf.Tensor2D;

/** LayerNorm over the last axis (eps 1e-5), with an optional bias. */
export function layerNorm(x: tf.Tensor2D, weight: tf.Tensor1D, bias?: tf.Tensor1D): tf.Tensor2D {
  if (nativeKernel('LmkitLayerNorm') && x.dtype === 'float32') {
    const inputs: tf.NamedTensorMap = bias
      ? { x, gamma: weight, beta: bias }
      : { x, gamma: weight };
    const attrs = { epsilon: layerNormEpsilon, hasBeta: bias !== undefined };
    return tf.engine().runKernel('LmkitLayerNorm', inputs, attrs as never) as tf.Tensor2D;
  }
  return bias ? layerNormWithBias(x, weight, bias) : layerNormNoBias(x, weight);
}

/** GPT-2's GELU: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
export function gelu(x: tf.Tensor2D): tf.Tensor2D {
  if (nativeKernel('LmkitGelu') && x.dtype === 'float32') {
    return tf.engine().runKernel('LmkitGelu', { x }, {}) as tf.Tensor2D;
  }
  return geluFormula(x);
}

const geluFormula = tf.customGrad(((x: tf.Tensor2D, save: tf.GradSaveFunc) => {
  const t = tf.tanh(tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), geluCubic)), geluScale));
  save([x, t]);
  return {
    value: tf.mul(tf.mul(x, 0.5), tf.add(t, 1)),
    gradFunc: (dy: tf.Tensor, [sx, st]: tf.Tensor[]) => {
      // d/dx = 0.5·(1 + t) + 0.5·x·(1 − t²)·√(2/π)·(1 + 3·0.044715·x²)
      const inner = tf.mul(tf.add(tf.mul(tf.square(sx), 3 * geluCubic * geluScale), geluScale), sx);
      const slope = tf.mul(tf.add(tf.add(st, 1), tf.mul(tf.sub(1, tf.square(st)), inner)), 0.5);
      return [tf.mul(dy, slope)];
    },
  };
}) as never) as (x: tf.Tensor2D) => tf.Tensor2D;

/**
 * Σᵢ weightᵢ · (logsumexp(logitsᵢ) − logitsᵢ[targetᵢ]) for logits (N, V); the weights (N) carry
 * the loss mask and the 1/count of the mean. Gradient: (softmax − one-hot) · weight.
 */
export function weightedCrossEntropy(
  logits: tf.Tensor2D,
  targets: tf.Tensor1D,
  weights: tf.Tensor1D,
): tf.Scalar {
  if (
    nativeKernel('LmkitCrossEntropy') &&
    logits.dtype === 'float32' &&
    targets.dtype === 'int32'
  ) {
    // @lmkit/tfjs-native: one pass for the row log-sum-exps, one for the gradient.
    const [loss] = tf.engine().runKernel('LmkitCrossEntropy', { logits, targets, weights }, {}) as [
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
        const oneHot = tf.cast(tf.oneHot(savedTargets as tf.Tensor1D, vocab), 'float32');
        const residual = tf.sub(probabilities, oneHot);
        return [tf.mul(residual, tf.reshape(tf.mul(savedWeights, dy), [-1, 1]))];
      },
    };
  }) as never) as (z: tf.Tensor2D) => tf.Scalar;
  return op(logits);
}
