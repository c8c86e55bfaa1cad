// Public API of @lmkit/tfjs-native: native CPU kernels (OpenBLAS) for TensorFlow.js's wasm and
// cpu backends. Nothing is registered at import time; call installNativeKernels().
export { defaultAddonPath, type NativeAddon } from './addon.ts';
export {
  type CausalAttentionShape,
  causalAttention,
  causalAttentionGradKernelName,
  causalAttentionKernelName,
} from './attention.ts';
export { type BatchMatMulPlan, broadcastBatchShape, planBatchMatMul } from './batch-shape.ts';
export {
  crossEntropy,
  crossEntropyGradKernelName,
  crossEntropyKernelName,
} from './cross-entropy.ts';
export {
  type DecodeBlockAttrs,
  type DecodeEmbedAttrs,
  type DecodeLogitsAttrs,
  decodeBlockKernelName,
  decodeEmbedKernelName,
  decodeLogitsKernelName,
} from './decode.ts';
export { TfjsNativeError } from './errors.ts';
export { gelu, geluGradKernelName, geluKernelName } from './gelu.ts';
export {
  defaultThreads,
  fastPathHint,
  type InstallNativeKernelsOptions,
  type InstallNativeKernelsResult,
  installedNativeKernels,
  installNativeKernels,
  nativeGradients,
  nativeKernelFamily,
  nativeKernelNames,
  uninstallNativeKernels,
} from './install.ts';
export { layerNorm, layerNormGradKernelName, layerNormKernelName } from './layer-norm.ts';
export { columnSum, columnSumKernelName, linear, linearKernelName } from './linear.ts';
export {
  type AdamWAttributes,
  type AdamWUpdateOptions,
  type AdamWUpdateResult,
  adamwKernelName,
  adamwUpdate,
  sumOfSquares,
  sumOfSquaresKernelName,
} from './optimizer.ts';
export { type NativeStatus, nativeStatus, setNativeThreads } from './status.ts';
export type { SupportedBackendName } from './tensor-memory.ts';
