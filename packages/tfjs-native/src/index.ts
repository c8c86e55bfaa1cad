// Public API of @lmkit/tfjs-native: native CPU kernels (OpenBLAS) for TensorFlow.js's wasm and
// cpu backends. Nothing is registered at import time; call installNativeKernels().
export { defaultAddonPath, type NativeAddon } from './addon.ts';
export * from './attention.ts';
export { type BatchMatMulPlan, broadcastBatchShape, planBatchMatMul } from './batch-shape.ts';
export * from './cross-entropy.ts';
export * from './decode.ts';
export { TfjsNativeError } from './errors.ts';
export { gelu, geluGradKernelName, geluKernelName } from './gelu.ts';
export {
  defaultThreads,
  fastPathHint,
  type InstallNativeKernelsOptions,
  type InstallNativeKernelsResult,
  installedNativeKernels,
  installNativeKernels,
  nativeKernelNames,
  uninstallNativeKernels,
} from './install.ts';
export { layerNorm, layerNormGradKernelName, layerNormKernelName } from './layer-norm.ts';
export { columnSum, columnSumKernelName, linear, linearKernelName } from './linear.ts';
export * from './optimizer.ts';
export { type NativeStatus, nativeStatus, setNativeThreads } from './status.ts';
export type { SupportedBackendName } from './tensor-memory.ts';
