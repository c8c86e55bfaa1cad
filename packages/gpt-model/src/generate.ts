// Autoregressive decoding for a batch of prompts: left-padded prompts, one prefill pass, then one
// token per step through a KV cache (or full recomputation, for checks and benchmarks). With
// @lmkit/tfjs-native's decode kernels installed, the cache is a native in-place buffer instead.
import * as tf from '@tensorflow/tfjs-core';
import { GPTModelError } from './errors.ts';
import type { GPT, KVCache } from './model.ts';
import { NativeDecodeCache, nativeDecodeAvailable } from './native-decode.ts';
import { Rng } from './rng.ts';
import { checkSamplingOptions, type SamplingOptions, sampleToken } from './sampling.ts';
import { checkIds, checkLength } from './validate.ts';

export interface GenerateOptions extends SamplingOptions {
  maxNewTokens: number;
  /** Token ids that end a sequence; the stop id itself is not yielded. */
  stop?: number[];
  /** Seeds sampling; the same seed repeats the same tokens. Default 0. */
  seed?: number;
  /** Reuse keys and values of earlier positions (default true); false recomputes every step. */
  kvCache?: boolean;
}

export async function* generateTokens(
  model: GPT,
  prompts: number[][],
  options: GenerateOptions,
): AsyncGenerator<number[]> {
  const config = model.config;
  checkSamplingOptions(options);
  const { maxNewTokens } = options;
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 0)
    throw new GPTModelError(`maxNewTokens is ${maxNewTokens}; use a non-negative integer`);
  if (prompts.length === 0) throw new GPTModelError('no prompts given; pass at least one');
  const longest = Math.max(...prompts.map((p) => p.length));
  prompts.forEach((prompt, b) => {
    checkLength(prompt.length, config, `prompt ${b}`);
    checkIds(prompt, config, `prompt ${b}`);
  });
  if (longest + maxNewTokens > config.blockSize)
    throw new GPTModelError(
      `prompt of ${longest} tokens + maxNewTokens ${maxNewTokens} exceeds the block size ${config.blockSize}; lower maxNewTokens to ${Math.max(0, config.blockSize - longest)} or shorten the prompt`,
    );
  const stop = new Set(options.stop ?? []);
  const rng = new Rng(options.seed ?? 0);
  const useCache = options.kvCache !== false;
  const batch = prompts.length;
  const padding = prompts.map((p) => longest - p.length);
  const sequences = prompts.map((p, b) => [...new Array<number>(padding[b]).fill(0), ...p]);
  const done = new Array<boolean>(batch).fill(false);
  const native =
    useCache && maxNewTokens > 0 && nativeDecodeAvailable()
      ? new NativeDecodeCache(model, batch, longest + maxNewTokens)
      : undefined;
  const cache: KVCache | undefined = useCache && !native ? { length: 0, layers: [] } : undefined;
  try {
    for (let step = 0; step < maxNewTokens && done.includes(false); step++) {
      const start = step === 0 ? 0 : (native?.length ?? cache?.length ?? 0);
      const rows = native
        ? await nativeLastLogits(native, sequences, start, padding, model.config.vocabSize)
        : await lastLogits(model, sequences, start, padding, cache);
      const out = new Array<number>(batch).fill(-1);
      for (let b = 0; b < batch; b++) {
        if (done[b]) continue;
        const token = sampleToken(rows[b], options, rng);
        if (stop.has(token)) done[b] = true;
        else out[b] = token;
      }
      for (let b = 0; b < batch; b++) sequences[b].push(Math.max(0, out[b]));
      if (done.every(Boolean)) return;
      yield out;
    }
  } finally {
    if (cache) for (const layer of cache.layers) tf.dispose([layer.k, layer.v]);
    native?.dispose();
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
