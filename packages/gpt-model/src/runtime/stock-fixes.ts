// This package's fixes to TensorFlow.js's stock kernels, as the built-in kernel family: a
// BatchMatMul that keeps every product on XNNPACK and a zero-copy Identity for wasm, and a
// one-loop UnsortedSegmentSum (the embedding gradient) for wasm and cpu.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFactory, KernelFamily } from './families.ts';
import { segmentSum } from './kernels/segment-sum.ts';
import { shareIdentity } from './kernels/wasm-identity.ts';
import { wasmBatchMatMulFactory } from './kernels/wasm-matmul.ts';

const segmentSumKernel: KernelFactory = () => segmentSum as unknown as tf.KernelFunc;

export const stockFixesFamily: KernelFamily = {
  name: 'stock-fixes',
  backend: ['wasm', 'cpu'],
  builtIn: true,
  available: () => ({ available: true }),
  kernels(backend): Record<string, KernelFactory> {
    if (backend !== 'wasm') return { [tf.UnsortedSegmentSum]: segmentSumKernel };
    return {
      [tf.UnsortedSegmentSum]: segmentSumKernel,
      [tf.BatchMatMul]: wasmBatchMatMulFactory,
      [tf.Identity]: () => shareIdentity as unknown as tf.KernelFunc,
    };
  },
  gradients: [],
};
