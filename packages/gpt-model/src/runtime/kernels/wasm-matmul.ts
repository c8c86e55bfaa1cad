// A BatchMatMul for the wasm backend that keeps every product on XNNPACK. Stock tfjs-backend-wasm
// uses XNNPACK only for one untransposed 2-D pair and a ~1 GFLOP/s scalar loop otherwise; here
// transposed operands are transposed once (the wasm Transpose kernel), a batch of A against one B
// is folded into rows, and true batches are split into 2-D calls.
import * as tf from '@tensorflow/tfjs-core';

interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}

/** Per-batch products below this many FLOPs stay on the stock kernel. */
const minSplitFlops = 1 << 17;

let stockMatMul: tf.KernelConfig | undefined;
let stockTranspose: tf.KernelConfig | undefined;

function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

function transposeLast2(backend: WasmBackend, x: tf.TensorInfo): tf.TensorInfo {
  return stockTranspose!.kernelFunc({
    inputs: { x },
    backend: backend as never,
    attrs: { perm: [0, 2, 1] },
  }) as tf.TensorInfo;
}

function matMul2d(backend: WasmBackend, a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo {
  return stockMatMul!.kernelFunc({
    inputs: { a, b },
    backend: backend as never,
    attrs: { transposeA: false, transposeB: false },
  }) as tf.TensorInfo;
}

function sliceCopy(backend: WasmBackend, x: tf.TensorInfo, index: number, shape: number[]) {
  const size = sizeOf(shape);
  const out = backend.makeOutput(shape, 'float32');
  const source = backend.typedArrayFromHeap(x).subarray(index * size, (index + 1) * size);
  backend.typedArrayFromHeap(out).set(source);
  return out;
}

export function fastBatchMatMul(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = sizeOf(outerA);
  const batchB = sizeOf(outerB);
  const plain = !transposeA && !transposeB && batchA === 1 && batchB === 1;
  const sameOuter = outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i]);
  const rankA = a.shape.length;
  const rankB = b.shape.length;
  const m = transposeA ? a.shape[rankA - 1] : a.shape[rankA - 2];
  const k = transposeA ? a.shape[rankA - 2] : a.shape[rankA - 1];
  const n = transposeB ? b.shape[rankB - 2] : b.shape[rankB - 1];
  // Splitting pays off only when each product is big enough to hide an XNNPACK operator's setup
  // and the copies (decoding with a KV cache multiplies one query row per head, for instance).
  const smallBatches = batchB !== 1 && 2 * m * n * k < minSplitFlops;
  const unsupported = a.dtype !== 'float32' || b.dtype !== 'float32';
  if (plain || smallBatches || unsupported || (batchA !== 1 && batchB !== 1 && !sameOuter))
    return stockMatMul!.kernelFunc(args as never) as tf.TensorInfo;

  const outShape = [...tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB), m, n];

  const temps: tf.TensorInfo[] = [];
  let a3: tf.TensorInfo = { ...a, shape: transposeA ? [batchA, k, m] : [batchA, m, k] };
  if (transposeA) {
    a3 = transposeLast2(backend, a3);
    temps.push(a3);
  }
  let b3: tf.TensorInfo = { ...b, shape: transposeB ? [batchB, n, k] : [batchB, k, n] };
  if (transposeB) {
    b3 = transposeLast2(backend, b3);
    temps.push(b3);
  }

  let out: tf.TensorInfo;
  if (batchB === 1) {
    out = matMul2d(backend, { ...a3, shape: [batchA * m, k] }, { ...b3, shape: [k, n] });
  } else {
    out = backend.makeOutput([batchB, m, n], 'float32');
    for (let i = 0; i < batchB; i++) {
      const ai = batchA === 1 ? { ...a3, shape: [m, k] } : sliceCopy(backend, a3, i, [m, k]);
      const bi = sliceCopy(backend, b3, i, [k, n]);
      const oi = matMul2d(backend, ai, bi);
      backend.typedArrayFromHeap(out).set(backend.typedArrayFromHeap(oi), i * m * n);
      if (batchA !== 1) backend.disposeData(ai.dataId);
      backend.disposeData(bi.dataId);
      backend.disposeData(oi.dataId);
    }
  }
  for (const t of temps) backend.disposeData(t.dataId);
  return { ...out, shape: outShape };
}

/** The stock-fixes family's factory: `fastBatchMatMul`, falling back to the kernel it replaces. */
export function wasmBatchMatMulFactory(previous: tf.KernelConfig | undefined): tf.KernelFunc {
  if (!previous) throw new Error('the wasm backend kernels are not registered yet');
  stockMatMul = previous;
  stockTranspose = tf.getKernel(tf.Transpose, 'wasm');
  return fastBatchMatMul as unknown as tf.KernelFunc;
}

/**
 * Replaces the wasm BatchMatMul kernel with `fastBatchMatMul` (idempotent; `setBackend('wasm')`
 * does this already). For benchmarks that compare it with the stock kernel.
 */
export function registerWasmBatchMatMul(): void {
  const current = tf.getKernel(tf.BatchMatMul, 'wasm');
  if (!current) throw new Error('the wasm backend kernels are not registered yet');
  if (current.kernelFunc === (fastBatchMatMul as unknown as tf.KernelFunc)) return;
  const kernelFunc = wasmBatchMatMulFactory(current);
  tf.unregisterKernel(tf.BatchMatMul, 'wasm');
  tf.registerKernel({
    kernelName: tf.BatchMatMul,
    backendName: 'wasm',
    setupFunc: current.setupFunc,
    kernelFunc,
  });
}

/** Puts the stock kernel back (for benchmarks that compare both). */
export function unregisterWasmBatchMatMul(): void {
  const current = tf.getKernel(tf.BatchMatMul, 'wasm');
  if (!stockMatMul || current?.kernelFunc !== (fastBatchMatMul as unknown as tf.KernelFunc)) return;
  tf.unregisterKernel(tf.BatchMatMul, 'wasm');
  tf.registerKernel(stockMatMul);
}
