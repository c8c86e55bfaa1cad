// A zero-copy Identity for the wasm backend. TensorFlow.js clones every tensor that a taped kernel
// saves for its backward pass through Identity, and the stock wasm kernel copies the data; tensors
// are immutable, so sharing the buffer under a reference count (as the cpu backend and wasm's own
// Reshape do) is enough.
import type * as tf from '@tensorflow/tfjs-core';

interface RefCountedBackend {
  incRef(dataId: object): void;
}

export function shareIdentity(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }) {
  const { x } = args.inputs as { x: tf.TensorInfo };
  (args.backend as RefCountedBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}
