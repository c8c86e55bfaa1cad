// Public API of @lmkit/gpt-model. `tf` re-exports the tfjs-core instance the model runs on.
export * as tf from '@tensorflow/tfjs-core';
export {
  type BackendPreference,
  findNativeTensorflow,
  type SetBackendOptions,
  setBackend,
} from './backend.ts';
export {
  fromHuggingFaceConfig,
  loadGPT2,
  loadLlmc,
  modelWeights,
  toHuggingFaceConfig,
} from './checkpoint.ts';
export {
  flopsPerToken,
  type GPTConfig,
  type PresetName,
  parameterCount,
  presets,
  validateConfig,
} from './config.ts';
export { GPTModelError } from './errors.ts';
export type { GenerateOptions } from './generate.ts';
export { registerWasmBatchMatMul, unregisterWasmBatchMatMul } from './kernels/wasm-matmul.ts';
export { decodeLlmc, encodeLlmc, paddedVocabSize } from './llmc.ts';
export {
  assertFitsBackend,
  estimateMemory,
  type MemoryEstimate,
  wasmHeapLimitBytes,
} from './memory.ts';
export { type ForwardOptions, GPT, type GPTOptions, type Ids, type KVCache } from './model.ts';
export { type NativeKernelStatus, nativeKernelStatus } from './native-kernels.ts';
export { Rng } from './rng.ts';
export {
  decodeSafetensors,
  encodeSafetensors,
  type Safetensors,
  type SafetensorsDtype,
  type SafetensorsTensor,
  toFloat32,
} from './safetensors.ts';
export type { SamplingOptions } from './sampling.ts';
