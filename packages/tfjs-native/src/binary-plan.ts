// Broadcast plan for a binary elementwise op: the output shape and each operand's element
// strides (0 on broadcast dims), with size-1 dims dropped and contiguous dims merged so the
// native inner loop runs as long as possible.
import { broadcastBatchShape } from './batch-shape.ts';

export interface BinaryPlan {
  outShape: number[];
  /** Collapsed shape and strides handed to the addon (rank ≥ 1). */
  shape: Int32Array;
  aStrides: Int32Array;
  bStrides: Int32Array;
}

function alignedStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const strides = new Array<number>(outShape.length).fill(0);
  const offset = outShape.length - shape.length;
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d + offset] = shape[d] === 1 ? 0 : stride;
    stride *= shape[d];
  }
  return strides;
}

const cache = new Map<string, BinaryPlan>();

export function planBinary(aShape: readonly number[], bShape: readonly number[]): BinaryPlan {
  const key = `${aShape}|${bShape}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const outShape = broadcastBatchShape(aShape, bShape);
  const sa = alignedStrides(aShape, outShape);
  const sb = alignedStrides(bShape, outShape);
  const dims: number[] = [];
  const as: number[] = [];
  const bs: number[] = [];
  for (let d = 0; d < outShape.length; d++) {
    if (outShape[d] === 1) continue;
    const last = dims.length - 1;
    // Merge into the previous dim when both operands step through it contiguously.
    if (last >= 0 && as[last] === sa[d] * outShape[d] && bs[last] === sb[d] * outShape[d]) {
      dims[last] *= outShape[d];
      as[last] = sa[d];
      bs[last] = sb[d];
    } else {
      dims.push(outShape[d]);
      as.push(sa[d]);
      bs.push(sb[d]);
    }
  }
  if (dims.length === 0) {
    dims.push(1);
    as.push(0);
    bs.push(0);
  }
  const plan = {
    outShape,
    shape: Int32Array.from(dims),
    aStrides: Int32Array.from(as),
    bStrides: Int32Array.from(bs),
  };
  if (cache.size > 1024) cache.clear();
  cache.set(key, plan);
  return plan;
}
