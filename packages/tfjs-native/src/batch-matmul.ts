// The BatchMatMul kernel on OpenBLAS: reads both operands in place, allocates the output on the
// backend, and runs one sgemm per output batch. Other dtypes go to the kernel it replaced.
import type {
  BatchMatMulAttrs,
  KernelBackend,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.ts';
import { planBatchMatMul } from './batch-shape.ts';
import { type SupportedBackendName, tensorMemory } from './tensor-memory.ts';

export function batchMatMulKernel(
  addon: NativeAddon,
  backendName: SupportedBackendName,
  previous: KernelConfig | undefined,
): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
    if ((a.dtype !== 'float32' || b.dtype !== 'float32') && previous) {
      return previous.kernelFunc(args);
    }
    const plan = planBatchMatMul(a.shape, b.shape, transposeA, transposeB);
    const memory = tensorMemory(backendName, args.backend as KernelBackend);
    const out = memory.allocate(plan.outShape);
    addon.sgemmBatched(
      memory.view(a),
      memory.view(b),
      out.view(),
      plan.m,
      plan.n,
      plan.k,
      transposeA,
      transposeB,
      plan.aIndex,
      plan.bIndex,
    );
    return out.info;
  };
}
