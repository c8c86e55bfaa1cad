// The decode kernels a family may serve for KV-cache generation (one call per block and token,
// keys and values written in place into a cache the caller owns). Inference only, no fallback:
// callers check `decodeKernelsAvailable()` and otherwise take the tfjs-ops path.
import * as tf from '@tensorflow/tfjs-core';
import { hasKernel } from '../families.ts';

export const decodeEmbedKernelName = 'LmkitDecodeEmbed';
export const decodeBlockKernelName = 'LmkitDecodeBlock';
export const decodeLogitsKernelName = 'LmkitDecodeLogits';

/** Whether all three decode kernels serve the active backend. */
export function decodeKernelsAvailable(): boolean {
  return [decodeEmbedKernelName, decodeBlockKernelName, decodeLogitsKernelName].every(hasKernel);
}

type Inputs = Record<string, tf.Tensor>;
const run = (name: string, inputs: Inputs, attrs: object) =>
  tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;

/** (B·t, C) token + position embeddings; inputs wte, wpe; attrs ids, positions (Int32Array). */
export const decodeEmbed = (inputs: Inputs, attrs: object) =>
  run(decodeEmbedKernelName, inputs, attrs);

/** One whole block, appending keys and values in place to the cache tensors among `inputs`. */
export const decodeBlock = (inputs: Inputs, attrs: object) =>
  run(decodeBlockKernelName, inputs, attrs);

/** ln_f and the tied head for the last position of each row: (B, V). */
export const decodeLogits = (inputs: Inputs, attrs: object) =>
  run(decodeLogitsKernelName, inputs, attrs) as tf.Tensor2D;
