// Autoregressive decoding for a batch of prompts: left-padded prompts, one prefill pass, then one
// token per step through a KV cache (or full recomputation, for checks and benchmarks). With
// @lmkit/tfjs-native's decode kernels installed, the cache is a native in-place buffer instead.
// Past the block size the context slides as nanoGPT's `idx[:, -block_size:]` does: the oldest tokens
// drop out and the window is recomputed (one full pass per token from then on).
import type { GenerateOptions as CoreGenerateOptions, FinishReason } from '@lmkit/core';
import { SeededRandom } from '@lmkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { GPTModelError } from './errors.ts';
import type { GPT, KVCache } from './model.ts';
import { NativeDecodeCache, nativeDecodeAvailable } from './native-decode.ts';
import { checkSamplingOptions, sampleToken } from './sampling.ts';
import { checkIds } from './validate.ts';

/** New tokens when `maxNewTokens` is left out. */
export const DEFAULT_MAX_NEW_TOKENS = 256;

export interface GenerateOptions extends Omit<CoreGenerateOptions, 'maxNewTokens'> {
  /** New tokens at most; default 256 (`DEFAULT_MAX_NEW_TOKENS`). */
  maxNewTokens?: number;
  /** Seeds sampling; the same seed repeats the same tokens. Default: a random seed per call. */
  seed?: number;
  /** Token ids never sampled (e.g. ids the tokenizer cannot decode: padding, unused ranks). */
  suppressIds?: readonly number[];
  /** Yield the stop id that ended a sequence as its last token (default false). */
  includeStop?: boolean;
  /**
   * When prompt + new tokens pass the block size: 'slide' (default) drops the oldest tokens, as
   * nanoGPT; 'stop' ends the sequence with finish reason 'context'.
   */
  contextOverflow?: 'slide' | 'stop';
}

/** Why one sequence ended, and the stop id when a stop token ended it. */
export interface GenerateResult {
  finishReason: FinishReason;
  stopId?: number;
  /** Prompt tokens dropped to fit the block size. */
  croppedPromptTokens: number;
}

/** A random 32-bit seed (used when `seed` is left out). */
export function randomSeed(): number {
  // Web Crypto: the same global in Node and in a browser tab.
  return globalThis.crypto.getRandomValues(new Uint32Array(1))[0];
}

/** Checks the options and fills in the defaults. */
export function resolveGenerateOptions(options: GenerateOptions = {}) {
  if (typeof options !== 'object' || options === null)
    throw new GPTModelError(
      `generate options are ${JSON.stringify(options)}; pass an object such as { maxNewTokens: 50, temperature: 0.8 }`,
    );
  checkSamplingOptions(options);
  const maxNewTokens = options.maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS;
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 0)
    throw new GPTModelError(
      `maxNewTokens is ${maxNewTokens}; use a non-negative integer or leave it out (default ${DEFAULT_MAX_NEW_TOKENS})`,
    );
  const seed = options.seed ?? randomSeed();
  if (!Number.isInteger(seed))
    throw new GPTModelError(`seed is ${seed}; use an integer or leave it out for a random one`);
  const stop = options.stop ?? [];
  if (!Array.isArray(stop) || !stop.every(Number.isInteger))
    throw new GPTModelError(
      `stop is ${JSON.stringify(stop)}; generate takes stop token ids (number[]); stop strings belong to loadLanguageModel()`,
    );
  const suppress = options.suppressIds ?? [];
  if (!Array.isArray(suppress) || !suppress.every(Number.isInteger))
    throw new GPTModelError(
      `suppressIds is ${JSON.stringify(suppress).slice(0, 80)}; pass token ids (number[]) or leave it out`,
    );
  const overflow = options.contextOverflow ?? 'slide';
  if (overflow !== 'slide' && overflow !== 'stop')
    throw new GPTModelError(
      `contextOverflow is ${JSON.stringify(overflow)}; use 'slide' or 'stop'`,
    );
  return { ...options, maxNewTokens, seed, stop: new Set(stop), suppress, overflow };
}

/**
 * Streams one step per yield for a batch of prompts: each row's token, or -1 once it stopped. The
 * generator's return value gives each row's finish reason. Prompts longer than the block size keep
 * their last tokens.
 */
export async function* generateTokens(
  model: GPT,
  prompts: readonly (readonly number[])[],
  options: GenerateOptions = {},
): AsyncGenerator<number[], GenerateResult[]> {
  const config = model.config;
  const { maxNewTokens, seed, stop, suppress, overflow, includeStop } =
    resolveGenerateOptions(options);
  if (!Array.isArray(prompts) || prompts.length === 0)
    throw new GPTModelError('no prompts given; pass at least one array of token ids');
  prompts.forEach((prompt, b) => {
    if (typeof prompt === 'string')
      throw new GPTModelError(
        `prompt ${b} is a string; generate takes token ids: encode the text with its tokenizer first, or use loadLanguageModel(dir).complete(text)`,
      );
    if (!Array.isArray(prompt) || prompt.length === 0)
      throw new GPTModelError(`prompt ${b} is empty; pass at least one token id`);
    checkIds(prompt, config, `prompt ${b}`);
  });
  const { blockSize } = config;
  const results: GenerateResult[] = prompts.map((p) => ({
    finishReason: 'length',
    croppedPromptTokens: Math.max(0, p.length - blockSize),
  }));
  const rows = prompts.map((p) => p.slice(-blockSize));
  const batch = rows.length;
  const longest = Math.max(...rows.map((p) => p.length));
  let padding = rows.map((p) => longest - p.length);
  let sequences = rows.map((p, b) => [...new Array<number>(padding[b]).fill(0), ...p]);
  const done = new Array<boolean>(batch).fill(false);
  const rng = new SeededRandom(seed);
  const useCache = options.kvCache !== false;
  const useNative = useCache && maxNewTokens > 0 && nativeDecodeAvailable();
  let native: NativeDecodeCache | undefined;
  let cache: KVCache | undefined;
  const freeCaches = () => {
    if (cache) for (const layer of cache.layers) tf.dispose([layer.k, layer.v]);
    native?.dispose();
    cache = undefined;
    native = undefined;
  };
  const newCaches = () => {
    freeCaches();
    if (useNative)
      native = new NativeDecodeCache(model, batch, Math.min(blockSize, longest + maxNewTokens));
    else if (useCache) cache = { length: 0, layers: [] };
  };
  newCaches();
  try {
    for (let step = 0; step < maxNewTokens && done.includes(false); step++) {
      if (sequences[0].length > blockSize) {
        if (overflow === 'stop') {
          for (let b = 0; b < batch; b++)
            if (!done[b]) [done[b], results[b].finishReason] = [true, 'context'];
          break;
        }
        // Slide: keep the last blockSize tokens and recompute the window from scratch.
        const drop = sequences[0].length - blockSize;
        sequences = sequences.map((s) => s.slice(drop));
        padding = padding.map((p) => Math.max(0, p - drop));
        newCaches();
      }
      // Prefill from 0, then only the newest token (with a cache); everything again without one.
      const start = native?.length ?? cache?.length ?? 0;
      const logits = native
        ? await nativeLastLogits(native, sequences, start, padding, config.vocabSize)
        : await lastLogits(model, sequences, start, padding, cache);
      const out = new Array<number>(batch).fill(-1);
      for (let b = 0; b < batch; b++) {
        if (done[b]) continue;
        for (const id of suppress) if (id >= 0 && id < logits[b].length) logits[b][id] = -Infinity;
        const token = sampleToken(logits[b], options, rng);
        if (stop.has(token)) {
          done[b] = true;
          results[b] = { ...results[b], finishReason: 'stop', stopId: token };
          if (includeStop) out[b] = token;
        } else out[b] = token;
      }
      for (let b = 0; b < batch; b++) sequences[b].push(Math.max(0, out[b]));
      if (out.some((token) => token >= 0)) yield out;
    }
    return results;
  } finally {
    freeCaches();
  }
}

/**
 * Streams the sampled ids after one prompt; the return value says why it ended ('stop', 'length' or
 * 'context') and which stop id ended it.
 */
export async function* generateSingle(
  model: GPT,
  prompt: readonly number[],
  options: GenerateOptions = {},
): AsyncGenerator<number, GenerateResult> {
  const steps = generateTokens(model, [prompt], options);
  try {
    for (;;) {
      const step = await steps.next();
      if (step.done) return step.value[0];
      if (step.value[0] >= 0) yield step.value[0];
    }
  } finally {
    // A consumer that breaks early closes this generator; close the inner one (frees its cache).
    await steps.return([]);
  }
}

/** Token ids from `start` on and their positions (after each row's left padding), row-major. */
function newPositions(sequences: number[][], start: number, padding: number[]) {
  const steps = sequences[0].length - start;
  const ids: number[] = [];
  const positions: number[] = [];
  sequences.forEach((sequence, b) => {
    for (let r = 0; r < steps; r++) {
      ids.push(sequence[start + r]);
      positions.push(Math.max(0, start + r - padding[b]));
    }
  });
  return { ids, positions };
}

/** `lastLogits` through the native decode kernels and their in-place cache. */
async function nativeLastLogits(
  cache: NativeDecodeCache,
  sequences: number[][],
  start: number,
  padding: number[],
  vocabSize: number,
): Promise<Float32Array[]> {
  const { ids, positions } = newPositions(sequences, start, padding);
  const logits = cache.logits(ids, positions, padding);
  const data = (await logits.data()) as Float32Array;
  logits.dispose();
  return sequences.map((_, b) => data.subarray(b * vocabSize, (b + 1) * vocabSize));
}

/** Logits of the last position of each row, for the tokens from `start` on. */
async function lastLogits(
  model: GPT,
  sequences: number[][],
  start: number,
  padding: number[],
  cache: KVCache | undefined,
): Promise<Float32Array[]> {
  const batch = sequences.length;
  const steps = sequences[0].length - start;
  const { vocabSize } = model.config;
  const logits = tf.tidy(() => {
    const ids = tf.tensor2d(
      sequences.flatMap((s) => s.slice(start)),
      [batch, steps],
      'int32',
    );
    const positionData = new Int32Array(batch * steps);
    for (let b = 0; b < batch; b++)
      for (let r = 0; r < steps; r++)
        positionData[b * steps + r] = Math.max(0, start + r - padding[b]);
    const positions = tf.tensor2d(positionData, [batch, steps], 'int32');
    const hidden = model.hidden(ids, { cache, positions, leftPadding: padding });
    const width = hidden.shape[1];
    const last = tf.reshape(
      tf.slice(tf.reshape(hidden, [batch, steps, width]), [0, steps - 1, 0], [batch, 1, width]),
      [batch, width],
    ) as tf.Tensor2D;
    return model.head(last, { cached: true });
  });
  const data = (await logits.data()) as Float32Array;
  logits.dispose();
  return Array.from({ length: batch }, (_, b) => data.subarray(b * vocabSize, (b + 1) * vocabSize));
}
