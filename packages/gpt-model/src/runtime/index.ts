// @lmkit/gpt-model/runtime: the one TensorFlow.js runtime layer of lmkit. Backend choice, every
// gradient registration, the stock-kernel fixes, the memory estimate, and the fused ops with their
// fallbacks; kernel families (this package's fixes, @lmkit/tfjs-native, later WebGPU) plug in as
// `KernelFamily` descriptors listed in `kernelFamilySources`.
export {
  type BackendPreference,
  type BackendStatus,
  backendStatus,
  findNativeTensorflow,
  type NativeKernelStatus,
  nativeKernelStatus,
  type SetBackendOptions,
  setBackend,
} from './backend.ts';
export {
  type FamilyAvailability,
  type FamilyStatus,
  hasKernel,
  installKernelFamily,
  type KernelFactory,
  type KernelFamily,
  type KernelFamilySource,
  kernelFamilySources,
  registerGradientConfigs,
  uninstallKernelFamily,
} from './families.ts';
export { registerGradients } from './gradients.ts';
export { registerWasmBatchMatMul, unregisterWasmBatchMatMul } from './kernels/wasm-matmul.ts';
export {
  assertFitsBackend,
  estimateMemory,
  type MemoryEstimate,
  type MemoryEstimateOptions,
  memoryLimitBytes,
  wasmHeapLimitBytes,
} from './memory.ts';
export {
  type CausalAttentionShape,
  causalAttention,
  causalAttentionKernelName,
  fusedCausalAttentionAvailable,
} from './ops/attention.ts';
export { crossEntropy, crossEntropyKernelName } from './ops/cross-entropy.ts';
export {
  decodeBlock,
  decodeBlockKernelName,
  decodeEmbed,
  decodeEmbedKernelName,
  decodeKernelsAvailable,
  decodeLogits,
  decodeLogitsKernelName,
} from './ops/decode.ts';
export {
  columnSum,
  columnSumKernelName,
  gelu,
  geluKernelName,
  layerNorm,
  layerNormEpsilon,
  layerNormKernelName,
  linear,
  linearKernelName,
} from './ops/layers.ts';
export {
  type AdamWAttributes,
  type AdamWUpdateOptions,
  type AdamWUpdateResult,
  adamwKernelName,
  adamwUpdate,
  fusedAdamWAvailable,
  sumOfSquares,
  sumOfSquaresKernelName,
} from './ops/optimizer.ts';
export { stockFixesFamily } from './stock-fixes.ts';
export {
  assertFitsWebGpu,
  probeWebGpu,
  type WebGpuAdapterStatus,
  type WebGpuProbe,
  webGpuStatus,
} from './webgpu/adapter.ts';
