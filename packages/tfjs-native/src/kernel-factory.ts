// The shape of a native kernel factory: given the loaded addon, the backend it serves and the
// kernel it replaces (if any), returns the tfjs kernel function to register.
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.ts';
import type { SupportedBackendName } from './tensor-memory.ts';

export type KernelFactory = (
  addon: NativeAddon,
  backend: SupportedBackendName,
  previous: KernelConfig | undefined,
) => KernelFunc;
