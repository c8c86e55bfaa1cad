// UnsortedSegmentSum as one plain loop (the gradient of `gather`, so of the embeddings). The wasm
// backend lacks it and the cpu backend's builds O(segments × n) tensors; this serves both.
import type * as tf from '@tensorflow/tfjs-core';

interface HeapBackend {
  readSync(dataId: object): unknown;
  makeOutput?(
    shape: number[],
    dtype: tf.DataType,
    offset?: number,
    values?: tf.TypedArray,
  ): tf.TensorInfo;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.TypedArray): tf.TensorInfo;
}

export function segmentSum(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const backend = args.backend as HeapBackend;
  const { x, segmentIds } = args.inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const numSegments = (args.attrs as { numSegments: number }).numSegments;
  const values = backend.readSync(x.dataId) as Float32Array | Int32Array;
  const ids = backend.readSync(segmentIds.dataId) as Int32Array;
  const rowCount = ids.length;
  const inner = rowCount === 0 ? 0 : values.length / rowCount;
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const out =
    x.dtype === 'int32'
      ? new Int32Array(numSegments * inner)
      : new Float32Array(numSegments * inner);
  for (let row = 0; row < rowCount; row++) {
    const segment = ids[row];
    if (segment < 0 || segment >= numSegments) continue;
    const from = row * inner;
    const to = segment * inner;
    for (let j = 0; j < inner; j++) out[to + j] += values[from + j];
  }
  // The wasm backend's makeOutput(shape, dtype, offset, values) copies into its heap; the cpu
  // backend has a makeOutput with another signature, so tell them apart by the heap accessor.
  if ('typedArrayFromHeap' in backend && backend.makeOutput)
    return backend.makeOutput(outShape, x.dtype, undefined, out);
  return backend.makeTensorInfo(outShape, x.dtype, out);
}
