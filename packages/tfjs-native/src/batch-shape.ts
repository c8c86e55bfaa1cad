// Shape arithmetic for a batched matmul: the m, n, k of each product, the output shape, and the
// batch of `a` and of `b` that each output batch reads (numpy broadcasting of batch dimensions).
import { TfjsNativeError } from './errors.ts';

export interface BatchMatMulPlan {
  m: number;
  n: number;
  k: number;
  outShape: number[];
  /** For output batch i: which batch of `a` (and of `b`) it multiplies. */
  aIndex: Int32Array;
  bIndex: Int32Array;
}

/** Right-aligned broadcast of two batch shapes; throws when a pair of dims is neither equal nor 1. */
export function broadcastBatchShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new TfjsNativeError(
        `batch dimensions [${a}] and [${b}] do not broadcast (dim ${i}: ${da} vs ${db}); make them equal or 1`,
      );
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Flat batch index into `shape` (right-aligned against `outShape`, size-1 dims broadcast) for every output batch. */
function batchIndex(shape: readonly number[], outShape: readonly number[]): Int32Array {
  const total = outShape.reduce((p, d) => p * d, 1);
  const index = new Int32Array(total);
  const offset = outShape.length - shape.length;
  // Stride of each output dim in `shape`'s flat batch index (0 where broadcast or absent).
  const strides = new Array<number>(outShape.length).fill(0);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d + offset] = shape[d] === 1 ? 0 : stride;
    stride *= shape[d];
  }
  const counter = new Array<number>(outShape.length).fill(0);
  let flat = 0;
  for (let i = 0; i < total; i++) {
    index[i] = flat;
    for (let d = outShape.length - 1; d >= 0; d--) {
      counter[d]++;
      flat += strides[d];
      if (counter[d] < outShape[d]) break;
      flat -= strides[d] * counter[d];
      counter[d] = 0;
    }
  }
  return index;
}

const planCache = new Map<string, BatchMatMulPlan>();

/** The plan for `a (…, m, k) · b (…, k, n)` with optional transposes of the last two dims. */
export function planBatchMatMul(
  aShape: readonly number[],
  bShape: readonly number[],
  transposeA: boolean,
  transposeB: boolean,
): BatchMatMulPlan {
  const key = `${aShape}|${bShape}|${transposeA}|${transposeB}`;
  const cached = planCache.get(key);
  if (cached) return cached;
  if (aShape.length < 2 || bShape.length < 2) {
    throw new TfjsNativeError(
      `matMul operands need rank >= 2, got shapes [${aShape}] and [${bShape}]; reshape vectors to matrices`,
    );
  }
  const ra = aShape.length;
  const rb = bShape.length;
  const m = transposeA ? aShape[ra - 1] : aShape[ra - 2];
  const kA = transposeA ? aShape[ra - 2] : aShape[ra - 1];
  const kB = transposeB ? bShape[rb - 1] : bShape[rb - 2];
  const n = transposeB ? bShape[rb - 2] : bShape[rb - 1];
  if (kA !== kB) {
    throw new TfjsNativeError(
      `matMul inner dimensions differ: ${kA} (a [${aShape}], transposeA=${transposeA}) vs ${kB} (b [${bShape}], transposeB=${transposeB}); they must be equal`,
    );
  }
  const aBatch = aShape.slice(0, -2);
  const bBatch = bShape.slice(0, -2);
  const outBatch = broadcastBatchShape(aBatch, bBatch);
  const plan: BatchMatMulPlan = {
    m,
    n,
    k: kA,
    outShape: [...outBatch, m, n],
    aIndex: batchIndex(aBatch, outBatch),
    bIndex: batchIndex(bBatch, outBatch),
  };
  if (planCache.size > 256) planCache.clear();
  planCache.set(key, plan);
  return plan;
}
