// The batch-broadcast plan: which batch of a and b each output batch multiplies, checked against
// a direct multi-index computation, plus the errors for shapes that cannot multiply.
import { describe, expect, it } from 'vitest';
import { broadcastBatchShape, planBatchMatMul, TfjsNativeError } from './index.ts';

/** Reference: flat index into `shape` for output multi-index `coords` (right-aligned, size-1 broadcast). */
function referenceIndex(shape: number[], outShape: number[], flatOut: number): number {
  const coords: number[] = [];
  let rest = flatOut;
  for (let d = outShape.length - 1; d >= 0; d--) {
    coords[d] = rest % outShape[d];
    rest = Math.floor(rest / outShape[d]);
  }
  const offset = outShape.length - shape.length;
  let index = 0;
  for (let d = 0; d < shape.length; d++) {
    index = index * shape[d] + (shape[d] === 1 ? 0 : coords[d + offset]);
  }
  return index;
}

describe('planBatchMatMul', () => {
  it('computes m, n, k and the output shape with transposes', () => {
    const plan = planBatchMatMul([5, 7, 3], [5, 4, 7], true, true);
    expect([plan.m, plan.n, plan.k]).toEqual([3, 4, 7]);
    expect(plan.outShape).toEqual([5, 3, 4]);
    expect([...plan.aIndex]).toEqual([0, 1, 2, 3, 4]);
    expect([...plan.bIndex]).toEqual([0, 1, 2, 3, 4]);
  });

  it.each([
    [
      [2, 1],
      [1, 3],
    ],
    [
      [4, 1, 3],
      [5, 1],
    ],
    [[3], [2, 1, 3]],
    [[], [6]],
    [[2, 3], []],
    [
      [1, 1],
      [1, 1],
    ],
  ])('broadcasts batch dims %j and %j like numpy', (aBatch, bBatch) => {
    const plan = planBatchMatMul([...aBatch, 2, 3], [...bBatch, 3, 4], false, false);
    const outBatch = broadcastBatchShape(aBatch, bBatch);
    expect(plan.outShape).toEqual([...outBatch, 2, 4]);
    const total = outBatch.reduce((p, d) => p * d, 1);
    expect(plan.aIndex.length).toBe(total);
    for (let i = 0; i < total; i++) {
      expect(plan.aIndex[i]).toBe(referenceIndex(aBatch, outBatch, i));
      expect(plan.bIndex[i]).toBe(referenceIndex(bBatch, outBatch, i));
    }
  });

  it('rejects batch dims that do not broadcast, naming both shapes', () => {
    expect(() => planBatchMatMul([2, 3, 4], [3, 4, 5], false, false)).toThrow(TfjsNativeError);
    expect(() => planBatchMatMul([2, 3, 4], [3, 4, 5], false, false)).toThrow(/\[2\] and \[3\]/);
  });

  it('rejects different inner dimensions and rank-1 operands', () => {
    expect(() => planBatchMatMul([2, 3], [4, 5], false, false)).toThrow(
      /inner dimensions differ: 3/,
    );
    expect(() => planBatchMatMul([3], [3, 5], false, false)).toThrow(/rank >= 2/);
  });
});
