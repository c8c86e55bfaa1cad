// Public API of @lmkit/gpt-model. `tf` re-exports the tfjs-core instance the model runs on.
export * as tf from '@tensorflow/tfjs-core';
export {
  fromHuggingFaceConfig,
  gptFromSafetensors,
  loadGPT2,
  loadLlmc,
  modelWeights,
  readModelWeights,
  toHuggingFaceConfig,
} from './checkpoint.ts';
// Checkpoint folders (all of checkpoint-folder.ts): list, verify, load, trainer state.
export * from './checkpoint-folder.ts';
export {
  flopsPerToken,
  type GPTConfig,
  type PresetName,
  parameterCount,
  presets,
  validateConfig,
} from './config.ts';
export { GPTModelError } from './errors.ts';
export {
  DEFAULT_MAX_NEW_TOKENS,
  type GenerateOptions,
  type GenerateResult,
} from './generate.ts';
export {
  type LanguageModel,
  type LanguageModelCallOptions,
  type LanguageModelResult,
  type LoadLanguageModelOptions,
  loadLanguageModel,
} from './language-model.ts';
// The llm.c checkpoint and tokenizer formats (all of llmc.ts).
export * from './llmc.ts';
export { type ForwardOptions, GPT, type GPTOptions, type Ids, type KVCache } from './model.ts';
export { Rng } from './rng.ts';
// Backend choice (all of runtime/backend.ts) is at the root as well as in `./runtime`.
export * from './runtime/backend.ts';
// Kept at the root for earlier callers; the runtime layer is `@lmkit/gpt-model/runtime`.
export {
  assertFitsBackend,
  assertFitsWebGpu,
  estimateMemory,
  type MemoryEstimate,
  probeWebGpu,
  registerWasmBatchMatMul,
  unregisterWasmBatchMatMul,
  type WebGpuAdapterStatus,
  type WebGpuProbe,
  wasmHeapLimitBytes,
  webGpuStatus,
} from './runtime/index.ts';
export {
  decodeSafetensors,
  encodeSafetensors,
  type Safetensors,
  type SafetensorsDtype,
  type SafetensorsTensor,
  toFloat32,
} from './safetensors.ts';
export type { SamplingOptions } from './sampling.ts';
