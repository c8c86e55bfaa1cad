// Public API of @lmkit/tfjs-native: native CPU kernels (OpenBLAS) for TensorFlow.js's wasm and
// cpu backends, as one kernel family (`nativeKernelFamily`). Nothing is registered at import time:
// @lmkit/gpt-model's setBackend installs the family, and its runtime ops (`linear`, `gelu`,
// `layerNorm`, `crossEntropy`, `causalAttention`, `adamwUpdate`, …) run the kernels.
export { defaultAddonPath, type NativeAddon } from './addon.ts';
export { causalAttentionGradKernelName, causalAttentionKernelName } from './attention.ts';
export { type BatchMatMulPlan, broadcastBatchShape, planBatchMatMul } from './batch-shape.ts';
export { crossEntropyGradKernelName, crossEntropyKernelName } from './cross-entropy.ts';
export {
  type DecodeBlockAttrs,
  type DecodeEmbedAttrs,
  type DecodeLogitsAttrs,
  decodeBlockKernelName,
  decodeEmbedKernelName,
  decodeLogitsKernelName,
} from './decode.ts';
export { TfjsNativeError } from './errors.ts';
export { geluGradKernelName, geluKernelName } from './gelu.ts';
export {
  createNativeKernelFamily,
  defaultThreads,
  fastPathHint,
  type NativeKernelFamilyOptions,
  nativeGradients,
  nativeKernelFamily,
  nativeKernelNames,
} from './install.ts';
export { layerNormGradKernelName, layerNormKernelName } from './layer-norm.ts';
export { columnSumKernelName, linearKernelName } from './linear.ts';
export { adamwKernelName, sumOfSquaresKernelName } from './optimizer.ts';
export { type NativeStatus, nativeStatus, setNativeThreads } from './status.ts';
export type { SupportedBackendName } from './tensor-memory.ts';
