// The shape of a native kernel factory: given the loaded addon, the backend it serves and the
// kernel it replaces (if any), returns the tfjs kernel function to register; and the call into
// that replaced kernel for inputs a native kernel does not handle.
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.ts';
import type { SupportedBackendName } from './tensor-memory.ts';

export type KernelFactory = (
  addon: NativeAddon,
  backend: SupportedBackendName,
  previous: KernelConfig | undefined,
) => KernelFunc;

/** Runs the kernel a native one replaced (for dtypes or shapes the native one does not handle). */
export function stockKernel(previous: KernelConfig | undefined, name: string): KernelFunc {
  return (args) => {
    if (!previous) throw new Error(`no stock ${name} kernel to fall back to`);
    return previous.kernelFunc(args);
  };
}
