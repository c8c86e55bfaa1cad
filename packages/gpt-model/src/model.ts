// The GPT-2 model: parameters as tf.Variables under Hugging Face names, the forward pass (with an
// optional KV cache for decoding), logits, masked next-token loss, vocabulary resizing.
import { SeededRandom } from '@lmkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { saveModel } from './checkpoint.ts';
import { type GPTConfig, validateConfig } from './config.ts';
import { GPTModelError } from './errors.ts';
import {
  type GenerateOptions,
  type GenerateResult,
  generateSingle,
  generateTokens,
} from './generate.ts';
import { causalMask, causalSelfAttention, gelu, layerNorm, linear } from './layers.ts';
import { parameterSpecs } from './names.ts';
import { assertFitsBackend } from './runtime/memory.ts';
import { crossEntropy } from './runtime/ops/cross-entropy.ts';
import { toIdTensor } from './validate.ts';

export type Ids = number[][] | tf.Tensor2D;

export interface ForwardOptions {
  training?: boolean;
  /** Seeds dropout for this call; without it dropout draws from the model's own RNG. */
  seed?: number;
}

/** Per-layer cached keys and values, (B, H, length, head size) each. */
export interface KVCache {
  length: number;
  layers: { k: tf.Tensor4D; v: tf.Tensor4D }[];
}

export interface GPTOptions {
  /** Seed of the initialisation (and of dropout when a call passes none). Default 0. */
  seed?: number;
  /** Initial values by parameter name, instead of the GPT-2 initialisation (used by loaders). */
  weights?: Record<string, Float32Array>;
}

let modelCount = 0;

export class GPT {
  readonly parameters = new Map<string, tf.Variable>();
  private currentConfig: GPTConfig;
  private rng: SeededRandom;
  private headCache: { source: object; transposed: tf.Tensor2D } | undefined;
  /** Prefix of this model's tf.Variable names (`gpt<n>/<parameter name>`): tfjs needs them unique. */
  readonly variablePrefix = `gpt${++modelCount}/`;

  constructor(config: GPTConfig, options: GPTOptions = {}) {
    validateConfig(config);
    if (Object.keys(tf.engine().registryFactory).length === 0)
      throw new GPTModelError(
        "no TensorFlow.js backend is registered; call await setBackend('auto') from @lmkit/gpt-model before building or loading a model (loadLanguageModel(dir) sets one up itself)",
      );
    this.currentConfig = { ...config };
    assertFitsBackend(config, { batchSize: 1, sequenceLength: 1 });
    this.rng = new SeededRandom(options.seed ?? 0);
    for (const spec of parameterSpecs(config)) {
      const given = options.weights?.[spec.name];
      const size = spec.shape.reduce((a, b) => a * b, 1);
      if (given && given.length !== size)
        throw new GPTModelError(
          `weight ${spec.name} has ${given.length} values; the config needs shape [${spec.shape}] (${size} values)`,
        );
      const values =
        given ??
        (spec.init === 'normal'
          ? this.rng.normalArray(size, spec.std!)
          : new Float32Array(size).fill(spec.init === 'ones' ? 1 : 0));
      const name = this.variablePrefix + spec.name;
      this.parameters.set(spec.name, tf.variable(tf.tensor(values, spec.shape), true, name));
    }
  }

  get config(): GPTConfig {
    return { ...this.currentConfig };
  }

  private p<R extends tf.Rank>(name: string): tf.Tensor<R> {
    return this.parameters.get(name) as unknown as tf.Tensor<R>;
  }

  private optionalP<R extends tf.Rank>(name: string): tf.Tensor<R> | undefined {
    return this.parameters.get(name) as unknown as tf.Tensor<R> | undefined;
  }

  /**
   * Final hidden states (B·t, C) after ln_f for `ids` (B, t) placed at `positions` (B, t).
   * With a cache, keys and values of earlier positions come from it and it is extended in place
   * (its old tensors disposed). Used by logits, loss and generation.
   */
  hidden(
    ids: tf.Tensor2D,
    options: ForwardOptions & {
      cache?: KVCache;
      positions?: tf.Tensor2D;
      leftPadding?: number[];
    } = {},
  ): tf.Tensor2D {
    const { nLayer, nHead, nEmbd, dropout } = this.currentConfig;
    const [batch, steps] = ids.shape;
    const past = options.cache?.length ?? 0;
    const useDropout = options.training === true && dropout > 0;
    let seed = options.seed ?? this.rng.nextUint32();
    const drop = (x: tf.Tensor) => (useDropout ? tf.dropout(x, dropout, undefined, seed++) : x);
    const newCache: { k: tf.Tensor4D; v: tf.Tensor4D }[] = [];
    const out = tf.tidy(() => {
      const tokens = tf.reshape(tf.gather(this.p('wte.weight'), tf.reshape(ids, [-1])), [
        batch,
        steps,
        nEmbd,
      ]);
      const positions = options.positions
        ? tf.gather(this.p('wpe.weight'), options.positions)
        : tf.slice(this.p('wpe.weight'), [past, 0], [steps, nEmbd]);
      let x = drop(tf.reshape(tf.add(tokens, positions), [batch * steps, nEmbd])) as tf.Tensor2D;
      const mask = causalMask(steps, past, options.leftPadding);
      for (let i = 0; i < nLayer; i++) {
        const h = `h.${i}.`;
        const attention = causalSelfAttention(
          {
            x: layerNorm(x, this.p(`${h}ln_1.weight`), this.optionalP(`${h}ln_1.bias`)),
            batch,
            steps,
            nHead,
            mask,
            past: options.cache?.layers[i],
            dropout: drop,
            dropoutActive: useDropout,
          },
          {
            qkvWeight: this.p(`${h}attn.c_attn.weight`),
            qkvBias: this.optionalP(`${h}attn.c_attn.bias`),
            projWeight: this.p(`${h}attn.c_proj.weight`),
            projBias: this.optionalP(`${h}attn.c_proj.bias`),
          },
        );
        if (options.cache) newCache.push({ k: tf.keep(attention.k), v: tf.keep(attention.v) });
        x = tf.add(x, drop(attention.y));
        const normed = layerNorm(x, this.p(`${h}ln_2.weight`), this.optionalP(`${h}ln_2.bias`));
        const up = gelu(
          linear(normed, this.p(`${h}mlp.c_fc.weight`), this.optionalP(`${h}mlp.c_fc.bias`)),
        );
        const down = linear(
          up,
          this.p(`${h}mlp.c_proj.weight`),
          this.optionalP(`${h}mlp.c_proj.bias`),
        );
        x = tf.add(x, drop(down));
      }
      return layerNorm(x, this.p('ln_f.weight'), this.optionalP('ln_f.bias'));
    });
    if (options.cache) {
      for (const layer of options.cache.layers) tf.dispose([layer.k, layer.v]);
      options.cache.layers = newCache;
      options.cache.length = past + steps;
    }
    return out;
  }

  /** The LM head on hidden states (N, C) → (N, V), tied to the token embedding. */
  head(hidden: tf.Tensor2D, options: { cached?: boolean } = {}): tf.Tensor2D {
    const wte = this.parameters.get('wte.weight') as unknown as tf.Tensor2D;
    if (!options.cached) return tf.matMul(hidden, wte, false, true);
    // Decoding reuses one transposed copy until the embedding changes (assign swaps its dataId).
    if (this.headCache?.source !== wte.dataId) {
      this.headCache?.transposed.dispose();
      this.headCache = { source: wte.dataId, transposed: tf.keep(tf.transpose(wte)) };
    }
    return tf.matMul(hidden, this.headCache!.transposed);
  }

  /** Logits (B, T, V); `training` enables dropout. */
  logits(ids: Ids, options: ForwardOptions = {}): tf.Tensor3D {
    return tf.tidy(() => {
      const idTensor = toIdTensor(ids, this.currentConfig, 'ids');
      const [batch, steps] = idTensor.shape;
      assertFitsBackend(this.currentConfig, { batchSize: batch, sequenceLength: steps });
      const logits = this.head(this.hidden(idTensor, options));
      return tf.reshape(logits, [batch, steps, this.currentConfig.vocabSize]) as tf.Tensor3D;
    });
  }

  /** Mean next-token cross-entropy (nats) over positions where `lossMask` is 1 (all without one). */
  loss(ids: Ids, targets: Ids, options: ForwardOptions & { lossMask?: Ids } = {}): tf.Scalar {
    return tf.tidy(() => {
      const idTensor = toIdTensor(ids, this.currentConfig, 'ids');
      const targetTensor = toIdTensor(targets, this.currentConfig, 'targets');
      const [batch, steps] = idTensor.shape;
      if (targetTensor.shape[0] !== batch || targetTensor.shape[1] !== steps)
        throw new GPTModelError(
          `targets have shape [${targetTensor.shape}] but ids have [${idTensor.shape}]; they must match`,
        );
      const fit = { batchSize: batch, sequenceLength: steps, training: true };
      assertFitsBackend(this.currentConfig, fit);
      const logits = this.head(this.hidden(idTensor, options));
      const flatTargets = tf.reshape(targetTensor, [-1]) as tf.Tensor1D;
      const count = batch * steps;
      const weights = options.lossMask
        ? maskWeights(toMaskTensor(options.lossMask, idTensor.shape))
        : tf.fill([count], 1 / count);
      return crossEntropy(logits, flatTargets, weights as tf.Tensor1D);
    });
  }

  /**
   * Streams sampled token ids after `prompt` (KV cache; temperature 0 is greedy). With
   * @lmkit/tfjs-native's decode kernels installed (wasm or cpu), each token is one kernel call
   * per block against a cache private to the stream; otherwise the tfjs ops of `hidden` run.
   */
  generate(
    prompt: readonly number[],
    options?: GenerateOptions,
  ): AsyncGenerator<number, GenerateResult> {
    return generateSingle(this, prompt, options);
  }

  /** Streams one step per yield for a batch of prompts: each row's token, or -1 once it stopped. */
  generateBatch(
    prompts: readonly (readonly number[])[],
    options?: GenerateOptions,
  ): AsyncGenerator<number[], GenerateResult[]> {
    return generateTokens(this, prompts, options);
  }

  /** Grows or shrinks the vocabulary, keeping existing rows; new rows get N(0, 0.02²). */
  resizeVocabulary(vocabSize: number, options: { seed?: number } = {}): void {
    if (!Number.isInteger(vocabSize) || vocabSize < 1)
      throw new GPTModelError(`vocabSize is ${vocabSize}; it must be a positive integer`);
    const { vocabSize: old, nEmbd } = this.currentConfig;
    const wte = this.parameters.get('wte.weight')!;
    // On the device, no read-back: WebGPU in Node has no synchronous reads.
    const resized = tf.tidy(() => {
      const kept = tf.slice(wte, [0, 0], [Math.min(old, vocabSize), nEmbd]);
      if (vocabSize <= old) return kept;
      const fresh = new SeededRandom(options.seed ?? 0).normalArray(
        (vocabSize - old) * nEmbd,
        0.02,
      );
      return tf.concat([kept, tf.tensor2d(fresh, [vocabSize - old, nEmbd])], 0);
    });
    wte.dispose();
    this.parameters.set(
      'wte.weight',
      tf.variable(resized, true, `${this.variablePrefix}wte.weight`),
    );
    resized.dispose();
    this.currentConfig = { ...this.currentConfig, vocabSize };
  }

  /** Writes `config.json` + `model.safetensors` (or llm.c's `model.bin`) into `dir`. */
  async save(dir: string, options: { format?: 'safetensors' | 'llmc' } = {}): Promise<void> {
    await saveModel(this, dir, options.format ?? 'safetensors');
  }

  dispose(): void {
    this.headCache?.transposed.dispose();
    this.headCache = undefined;
    for (const variable of this.parameters.values()) variable.dispose();
    this.parameters.clear();
  }
}

/** Per-position weights mask / max(1, Σ mask): the loss is then a weighted sum. */
function maskWeights(mask: tf.Tensor2D): tf.Tensor1D {
  const flat = tf.reshape(tf.cast(mask, 'float32'), [-1]);
  return tf.div(flat, tf.maximum(tf.sum(flat), 1)) as tf.Tensor1D;
}

function toMaskTensor(mask: Ids, shape: [number, number]): tf.Tensor2D {
  const tensor = Array.isArray(mask) ? tf.tensor2d(mask, undefined, 'float32') : mask;
  if (tensor.shape[0] !== shape[0] || tensor.shape[1] !== shape[1])
    throw new GPTModelError(
      `lossMask has shape [${tensor.shape}] but ids have [${shape}]; they must match`,
    );
  return tensor;
}
