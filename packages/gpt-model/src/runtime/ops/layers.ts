// The dense-layer ops as functions: linear, its bias gradient's column sum, LayerNorm and GELU.
// Each runs a kernel family's fused kernel when one is installed (the names below are the contract
// with the families) and otherwise single taped ops (tf.customGrad) with hand-written backward
// passes: autodiff over the elementwise pieces costs several times more kernel calls and
// full-size temporaries, which dominate a CPU training step once the matmuls are fast.
import * as tf from '@tensorflow/tfjs-core';
import { GPTModelError } from '../../errors.ts';
import { hasKernel } from '../families.ts';

export const linearKernelName = 'LmkitLinear';
export const columnSumKernelName = 'LmkitColumnSum';
export const layerNormKernelName = 'LmkitLayerNorm';
export const geluKernelName = 'LmkitGelu';

export const layerNormEpsilon = 1e-5;

/** x·W + b; one fused kernel (bias, then sgemm) when a family serves LmkitLinear. */
export function linear(x: tf.Tensor2D, weight: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor2D {
  if (
    x.rank !== 2 ||
    weight.rank !== 2 ||
    x.shape[1] !== weight.shape[0] ||
    (bias && (bias.rank !== 1 || bias.shape[0] !== weight.shape[1]))
  ) {
    throw new GPTModelError(
      `linear needs x (N, K), w (K, M) and b (M); got [${x.shape}], [${weight.shape}]${bias ? ` and [${bias.shape}]` : ''}`,
    );
  }
  if (x.dtype === 'float32' && hasKernel(linearKernelName)) {
    const inputs: tf.NamedTensorMap = bias ? { x, w: weight, b: bias } : { x, w: weight };
    return tf.engine().runKernel(linearKernelName, inputs, {}) as tf.Tensor2D;
  }
  const y = tf.matMul(x, weight) as tf.Tensor2D;
  return bias ? (tf.add(y, bias) as tf.Tensor2D) : y;
}

/**
 * Column sums of a 2-D tensor as a (1, N) × (N, C) product: the wasm Sum kernel reduces only the
 * last axis, so summing over rows would first transpose the whole tensor.
 */
export function columnSum(x: tf.Tensor2D): tf.Tensor1D {
  // A family's threaded column sum when installed.
  if (x.dtype === 'float32' && hasKernel(columnSumKernelName)) {
    return tf.engine().runKernel(columnSumKernelName, { x }, {}) as tf.Tensor1D;
  }
  return tf.reshape(tf.matMul(tf.ones([1, x.shape[0]]), x), [x.shape[1]]);
}
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
  if (hasKernel(layerNormKernelName) && x.dtype === 'float32') {
    const inputs: tf.NamedTensorMap = bias
      ? { x, gamma: weight, beta: bias }
      : { x, gamma: weight };
    const attrs = { epsilon: layerNormEpsilon, hasBeta: bias !== undefined };
    return tf.engine().runKernel(layerNormKernelName, inputs, attrs as never) as tf.Tensor2D;
  }
  return bias ? layerNormWithBias(x, weight, bias) : layerNormNoBias(x, weight);
}

/** GPT-2's GELU: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
export function gelu(x: tf.Tensor2D): tf.Tensor2D {
  if (hasKernel(geluKernelName) && x.dtype === 'float32') {
    return tf.engine().runKernel(geluKernelName, { x }, {}) as tf.Tensor2D;
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
