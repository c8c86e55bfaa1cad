// Gradients of the stock kernels a GPT (and the trainer's small test models) use: the only place
// they are registered. tfjs-core's Node bundle ships none (only @tensorflow/tfjs does, through a
// module whose extensionless imports plain Node cannot load), so `setBackend` registers these for
// any kernel that has none yet. Kernel families bring the gradients of their own kernels.
import * as tf from '@tensorflow/tfjs-core';
import { registerGradientConfigs } from './families.ts';
import { columnSum } from './ops/layers.ts';

type Grad = (
  dy: tf.Tensor,
  saved: tf.Tensor[],
  attrs: tf.NamedAttrMap,
) => Record<string, () => tf.Tensor>;

const grad = (fn: Grad) => fn as unknown as tf.GradFunc;

/** Sums a broadcast gradient back to `shape` (leading axes and axes of size 1). */
function reduceTo(grad: tf.Tensor, shape: number[]): tf.Tensor {
  const extra = grad.rank - shape.length;
  if (extra > 0 && grad.shape.slice(extra).join() === shape.join()) {
    // Only leading axes were broadcast (a bias, the position embeddings): one column sum.
    const width = shape.reduce((a, b) => a * b, 1);
    const rows = tf.reshape(grad, [grad.size / width, width]) as tf.Tensor2D;
    return tf.reshape(columnSum(rows), shape);
  }
  let out = grad;
  if (extra > 0)
    out = tf.sum(
      out,
      Array.from({ length: extra }, (_, i) => i),
    );
  const axes = shape.flatMap((d, i) => (d === 1 && out.shape[i] !== 1 ? [i] : []));
  if (axes.length > 0) out = tf.sum(out, axes, true);
  return out.shape.join() === shape.join() ? out : tf.reshape(out, shape);
}

/**
 * dy of a reduction, reshaped with the reduced axes kept as 1 and spread over x's shape (times
 * `scale`). A broadcasting multiply: wasm's Tile kernel, behind tf.broadcastTo, is very slow.
 */
function expandReduced(dy: tf.Tensor, xShape: number[], axis: unknown, scale = 1): tf.Tensor {
  const axes = tf.util.parseAxisParam(axis as number | number[], xShape);
  const kept = xShape.map((d, i) => (axes.includes(i) ? 1 : d));
  return tf.mul(tf.reshape(dy, kept), tf.fill(xShape, scale));
}

const binary = (
  name: string,
  rule: (dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => [tf.Tensor, tf.Tensor],
) => ({
  kernelName: name,
  inputsToSave: ['a', 'b'],
  gradFunc: grad((dy, [a, b]) => ({
    a: () => reduceTo(rule(dy, a, b)[0], a.shape),
    b: () => reduceTo(rule(dy, a, b)[1], b.shape),
  })),
});

const matMulGrad: Grad = (dy, [a, b], attrs) => {
  const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
  const [da, db] =
    !transposeA && !transposeB
      ? [() => tf.matMul(dy, b, false, true), () => tf.matMul(a, dy, true, false)]
      : !transposeA && transposeB
        ? [() => tf.matMul(dy, b), () => tf.matMul(dy, a, true, false)]
        : transposeA && !transposeB
          ? [() => tf.matMul(b, dy, false, true), () => tf.matMul(a, dy)]
          : [() => tf.matMul(b, dy, true, true), () => tf.matMul(dy, a, true, true)];
  return { a: () => reduceTo(da(), a.shape), b: () => reduceTo(db(), b.shape) };
};

const configs: tf.GradConfig[] = [
  binary(tf.Add, (dy) => [dy, dy]),
  binary(tf.Sub, (dy) => [dy, tf.neg(dy)]),
  binary(tf.Multiply, (dy, a, b) => [tf.mul(dy, b), tf.mul(dy, a)]),
  binary(tf.RealDiv, (dy, a, b) => [tf.div(dy, b), tf.neg(tf.div(tf.mul(dy, a), tf.square(b)))]),
  { kernelName: tf.BatchMatMul, inputsToSave: ['a', 'b'], gradFunc: grad(matMulGrad) },
  {
    kernelName: tf.Square,
    inputsToSave: ['x'],
    gradFunc: grad((dy, [x]) => ({ x: () => tf.mul(dy, tf.mul(x, 2)) })),
  },
  {
    kernelName: tf.Rsqrt,
    outputsToSave: [true],
    gradFunc: grad((dy, [y]) => ({ x: () => tf.mul(dy, tf.mul(tf.mul(tf.square(y), y), -0.5)) })),
  },
  {
    kernelName: tf.Tanh,
    outputsToSave: [true],
    gradFunc: grad((dy, [y]) => ({ x: () => tf.mul(dy, tf.sub(1, tf.square(y))) })),
  },
  {
    kernelName: tf.Exp,
    outputsToSave: [true],
    gradFunc: grad((dy, [y]) => ({ x: () => tf.mul(dy, y) })),
  },
  {
    kernelName: tf.Log,
    inputsToSave: ['x'],
    gradFunc: grad((dy, [x]) => ({ x: () => tf.div(dy, x) })),
  },
  { kernelName: tf.Neg, gradFunc: grad((dy) => ({ x: () => tf.neg(dy) })) },
  { kernelName: tf.Identity, gradFunc: grad((dy) => ({ x: () => tf.clone(dy) })) },
  { kernelName: tf.Cast, gradFunc: grad((dy) => ({ x: () => tf.clone(dy) })) },
  {
    kernelName: tf.Sum,
    inputsToSave: ['x'],
    gradFunc: grad((dy, [x], attrs) => ({ x: () => expandReduced(dy, x.shape, attrs.axis) })),
  },
  {
    kernelName: tf.Mean,
    inputsToSave: ['x'],
    gradFunc: grad((dy, [x], attrs) => {
      const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
      const count = axes.reduce((n, a) => n * x.shape[a], 1);
      return { x: () => expandReduced(dy, x.shape, attrs.axis, 1 / count) };
    }),
  },
  {
    kernelName: tf.Max,
    inputsToSave: ['x'],
    outputsToSave: [true],
    gradFunc: grad((dy, [x, y], attrs) => {
      const axis = attrs.reductionIndices;
      const isMax = tf.cast(tf.equal(x, expandReduced(y, x.shape, axis)), 'float32');
      return { x: () => tf.mul(isMax, expandReduced(dy, x.shape, axis)) };
    }),
  },
  {
    kernelName: tf.LogSoftmax,
    outputsToSave: [true],
    gradFunc: grad((dy, [y], attrs) => ({
      logits: () => tf.sub(dy, tf.mul(tf.exp(y), tf.sum(dy, attrs.axis as number, true))),
    })),
  },
  {
    kernelName: tf.Tile,
    inputsToSave: ['x'],
    gradFunc: grad((dy, [x], attrs) => {
      // dy (r0·s0, r1·s1, …) as (r0, s0, r1, s1, …), summed over the repeats.
      const reps = attrs.reps as number[];
      const split = x.shape.flatMap((size, i) => [reps[i], size]);
      const repeatAxes = reps.map((_, i) => 2 * i);
      return { x: () => tf.reshape(tf.sum(tf.reshape(dy, split), repeatAxes), x.shape) };
    }),
  },
  {
    kernelName: tf.Softmax,
    outputsToSave: [true],
    gradFunc: grad((dy, [y]) => ({
      logits: () => tf.mul(y, tf.sub(dy, tf.sum(tf.mul(dy, y), -1, true))),
    })),
  },
  {
    kernelName: tf.Reshape,
    inputsToSave: ['x'],
    gradFunc: grad((dy, [x]) => ({ x: () => tf.reshape(dy, x.shape) })),
  },
  {
    kernelName: tf.Transpose,
    gradFunc: grad((dy, _saved, attrs) => {
      const perm = attrs.perm as number[];
      const inverse = perm.map((_, i) => perm.indexOf(i));
      return { x: () => tf.transpose(dy, inverse) };
    }),
  },
  {
    kernelName: tf.SplitV,
    gradFunc: grad((dy, _saved, attrs) => ({
      x: () => tf.concat(dy as unknown as tf.Tensor[], attrs.axis as number),
    })),
  },
  {
    kernelName: tf.Concat,
    saveAllInputs: true,
    gradFunc: grad((dy, saved, attrs) => {
      const axis = tf.util.parseAxisParam(attrs.axis as number, saved[0].shape)[0];
      const parts = tf.split(
        dy,
        saved.map((t) => t.shape[axis]),
        axis,
      );
      return Object.fromEntries(parts.map((part, i) => [String(i), () => part]));
    }),
  },
  {
    kernelName: tf.Slice,
    inputsToSave: ['x'],
    gradFunc: grad((dy, [x], attrs) => {
      const [begin, size] = tf.slice_util.parseSliceParams(
        x,
        attrs.begin as number[],
        attrs.size as number[],
      );
      const padding = x.shape.map((d, i) => [begin[i], d - begin[i] - size[i]] as [number, number]);
      return { x: () => tf.pad(dy, padding) };
    }),
  },
  {
    kernelName: tf.GatherV2,
    inputsToSave: ['x', 'indices'],
    gradFunc: grad((dy, [x, indices], attrs) => {
      if ((attrs.axis as number) !== 0 || ((attrs.batchDims as number) ?? 0) !== 0)
        throw new Error('this gather gradient supports axis 0 without batch dimensions only');
      const rows = tf.reshape(dy, [indices.size, ...x.shape.slice(1)]);
      return {
        x: () => tf.unsortedSegmentSum(rows, tf.reshape(indices, [-1]) as tf.Tensor1D, x.shape[0]),
        indices: () => tf.zerosLike(indices),
      };
    }),
  },
];

/** Registers each gradient above whose kernel has none registered yet (idempotent). */
export function registerGradients(): void {
  registerGradientConfigs(configs);
}
