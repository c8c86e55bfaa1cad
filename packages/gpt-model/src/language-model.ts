// One-call text generation over a checkpoint folder, as transformers.js's `pipeline('text-generation')`:
// `const lm = await loadLanguageModel(dir)`, then `complete(text)`, `chat(messages)` or `stream(...)`.
// It picks a backend when none is set, reads config.json + model.safetensors + tokenizer.json, stops on
// strings or ids, and crops prompts to the context window. Batching and serving are left to apps.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { getEncoding, loadTokenizer, Tokenizer } from '@lmkit/bpe';
import { IM_END, IM_START, parseReply, render } from '@lmkit/chat-template';
import { type FinishReason, LmkitError, type Message } from '@lmkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { loadGPT2 } from './checkpoint.ts';
import { listCheckpoints, loadCheckpoint } from './checkpoint-folder.ts';
import type { GPTConfig } from './config.ts';
import { GPTModelError } from './errors.ts';
import { DEFAULT_MAX_NEW_TOKENS, generateSingle } from './generate.ts';
import type { GPT } from './model.ts';
import { type BackendPreference, setBackend } from './runtime/backend.ts';
import { checkSamplingOptions } from './sampling.ts';

/** Options of one `complete` / `chat` / `stream` call (defaults come from `loadLanguageModel`). */
export interface LanguageModelCallOptions {
  /** 0 = greedy. Default 1. */
  temperature?: number;
  /** Keep only the k most likely tokens. */
  topK?: number;
  /** Nucleus sampling: the smallest set of tokens whose probability reaches p. */
  topP?: number;
  /** New tokens at most; default 256. */
  maxNewTokens?: number;
  /** Repeats the same text for the same seed; default a random seed per call. */
  seed?: number;
  /**
   * Strings or token ids that end the text (not included in it). `<|endoftext|>` always stops, and
   * `<|im_end|>` or a new `<|im_start|>` do in `chat`.
   */
  stop?: string | number | readonly (string | number)[];
}

export interface LoadLanguageModelOptions extends LanguageModelCallOptions {
  /** Backend to set up; default: keep the active one, or 'auto' when none is set. */
  backend?: BackendPreference;
}

/** The text of one call with why it ended and its token counts. */
export interface LanguageModelResult {
  text: string;
  finishReason: FinishReason;
  promptTokens: number;
  completionTokens: number;
  /** Prompt tokens (or, in chat, whole earlier turns' tokens) left out to fit the context. */
  croppedPromptTokens: number;
}

export interface LanguageModel {
  /** The text that follows `text`. */
  complete(text: string, options?: LanguageModelCallOptions): Promise<string>;
  /** The assistant's reply to a conversation (needs a tokenizer with the chat markers). */
  chat(messages: readonly Message[], options?: LanguageModelCallOptions): Promise<string>;
  /**
   * Pieces of text as they are generated; a string continues text, messages get a reply (raw: a
   * reasoning model's `<think>...</think>` is included).
   */
  stream(
    input: string | readonly Message[],
    options?: LanguageModelCallOptions,
  ): AsyncIterable<string>;
  /** `complete` or `chat` with the finish reason and token counts. */
  generate(
    input: string | readonly Message[],
    options?: LanguageModelCallOptions,
  ): Promise<LanguageModelResult>;
  readonly model: GPT;
  readonly tokenizer: Tokenizer;
  readonly config: GPTConfig;
  /** Frees the model's weights. */
  dispose(): void;
}

const callOptionNames = ['temperature', 'topK', 'topP', 'maxNewTokens', 'seed', 'stop'] as const;

function checkCallOptions(options: unknown, what: string, extra: readonly string[] = []) {
  if (options === undefined) return {} as LanguageModelCallOptions;
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new GPTModelError(
      `${what} options are ${JSON.stringify(options)}; pass an object such as { maxNewTokens: 50, temperature: 0.8 }`,
    );
  const known = [...callOptionNames, ...extra];
  for (const key of Object.keys(options))
    if (!known.includes(key))
      throw new GPTModelError(
        `${what}: unknown option ${JSON.stringify(key)}; the options are ${known.join(', ')}`,
      );
  const o = options as LanguageModelCallOptions;
  checkSamplingOptions(o);
  if (o.maxNewTokens !== undefined && (!Number.isInteger(o.maxNewTokens) || o.maxNewTokens < 0))
    throw new GPTModelError(
      `${what}: maxNewTokens is ${o.maxNewTokens}; use a non-negative integer (default ${DEFAULT_MAX_NEW_TOKENS})`,
    );
  if (o.seed !== undefined && !Number.isInteger(o.seed))
    throw new GPTModelError(`${what}: seed is ${o.seed}; use an integer or leave it out`);
  const stops = o.stop === undefined ? [] : Array.isArray(o.stop) ? o.stop : [o.stop];
  for (const stop of stops)
    if (!(typeof stop === 'string' && stop.length > 0) && !Number.isInteger(stop))
      throw new GPTModelError(
        `${what}: stop ${JSON.stringify(stop)} is neither a non-empty string nor a token id; pass e.g. stop: ['\\n\\n', 50256]`,
      );
  return o;
}

async function readTokenizer(dir: string, config: GPTConfig): Promise<Tokenizer> {
  const path = join(dir, 'tokenizer.json');
  if (existsSync(path)) return loadTokenizer(path);
  // A Hugging Face GPT-2 folder has no tokenizer.json of ours: its vocabulary is tiktoken's gpt2.
  if (config.vocabSize === 50257) return getEncoding('gpt2');
  throw new GPTModelError(
    `${dir} has no tokenizer.json; put the tokenizer the model was trained with there (lmkit-train writes it into every checkpoint)`,
  );
}

/** Longest suffix of `text` that begins some stop string (text held back while streaming). */
function heldBack(text: string, stops: readonly string[]): number {
  let hold = 0;
  for (const stop of stops)
    for (let k = Math.min(stop.length - 1, text.length); k > hold; k--)
      if (text.endsWith(stop.slice(0, k))) {
        hold = k;
        break;
      }
  return hold;
}

/** The content of a reply (reasoning split off); text that is not in the chat format as it is. */
function replyContent(text: string): string {
  try {
    return parseReply(text).message.content;
  } catch (error) {
    if (LmkitError.isInstance(error)) return text;
    throw error;
  }
}

/**
 * Loads a checkpoint folder (config.json, model.safetensors, tokenizer.json) for text generation. A
 * trainer checkpoint's manifest is verified first; a run's checkpoint root loads its newest step.
 *
 * @example
 * const lm = await loadLanguageModel('checkpoints/sft');
 * await lm.chat([{ role: 'user', content: 'Hi!' }], { temperature: 0.7, seed: 1 });
 */
export async function loadLanguageModel(
  dir: string,
  options?: LoadLanguageModelOptions,
): Promise<LanguageModel> {
  const defaults = checkCallOptions(options, 'loadLanguageModel', ['backend']);
  if (typeof dir !== 'string' || !existsSync(dir))
    throw new GPTModelError(
      `loadLanguageModel: ${JSON.stringify(dir)} is not a folder; pass a checkpoint folder with config.json, model.safetensors and tokenizer.json`,
    );
  const backend = (options as LoadLanguageModelOptions | undefined)?.backend;
  if (backend !== undefined || !tf.getBackend()) await setBackend(backend ?? 'auto');
  // A training run's checkpoint root (step-NNNNNNNN folders): its newest checkpoint.
  const steps = existsSync(join(dir, 'config.json')) ? [] : listCheckpoints(dir);
  const folder = steps.length > 0 ? steps[steps.length - 1].dir : dir;
  // A checkpoint with a manifest is verified (checksums) before it is read.
  const checkpoint = existsSync(join(folder, 'manifest.json'))
    ? await loadCheckpoint(folder)
    : undefined;
  const model = checkpoint?.model ?? (await loadGPT2(folder));
  let tokenizer: Tokenizer;
  try {
    tokenizer =
      checkpoint?.tokenizerJson !== undefined
        ? Tokenizer.fromJSON(checkpoint.tokenizerJson)
        : await readTokenizer(folder, model.config);
  } catch (error) {
    model.dispose();
    throw error;
  }
  if (tokenizer.vocabSize > model.config.vocabSize) {
    model.dispose();
    throw new GPTModelError(
      `${folder}: tokenizer.json has ${tokenizer.vocabSize} ids but the model only ${model.config.vocabSize}; the tokenizer does not belong to this model`,
    );
  }
  const { blockSize } = model.config;
  const endOfText = tokenizer.specialTokenId('<|endoftext|>');
  // Ids the model has but the tokenizer cannot decode (padded vocabularies, unused ranks).
  const suppressIds: number[] = [];
  for (let id = 0; id < model.config.vocabSize; id++)
    if (!tokenizer.ranks.has(id) && !tokenizer.isSpecialId(id)) suppressIds.push(id);

  async function* run(
    input: string | readonly Message[],
    callOptions: LanguageModelCallOptions | undefined,
    result: LanguageModelResult,
  ): AsyncGenerator<string> {
    const o = { ...defaults, ...checkCallOptions(callOptions, 'generate') };
    delete (o as LoadLanguageModelOptions).backend;
    const maxNewTokens = o.maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS;
    // Leave room for the new tokens, but keep at least half the window for the prompt.
    const budget = Math.max(Math.ceil(blockSize / 2), blockSize - maxNewTokens);
    const stops = o.stop === undefined ? [] : Array.isArray(o.stop) ? o.stop : [o.stop];
    const stopIds = stops.filter((s): s is number => typeof s === 'number');
    const stopTexts = stops.filter((s): s is string => typeof s === 'string');
    if (endOfText !== undefined) stopIds.push(endOfText);
    let prompt: number[];
    if (typeof input === 'string') {
      prompt = tokenizer.encode(input, { allowedSpecial: 'all' });
    } else {
      if (!Array.isArray(input))
        throw new GPTModelError(
          `chat takes an array of { role, content } messages, not ${typeof input}`,
        );
      const conversation = { messages: [...input] };
      const full = render(conversation, tokenizer, { addGenerationPrompt: true }).ids;
      prompt = full;
      if (full.length > budget) {
        try {
          prompt = render(conversation, tokenizer, {
            addGenerationPrompt: true,
            maxTokens: budget,
          }).ids;
        } catch {
          prompt = full; // the last turn alone is too long: keep its last tokens below
        }
      }
      result.croppedPromptTokens = full.length - prompt.length;
      // The reply ends at <|im_end|>, or where the model opens another turn.
      for (const marker of [IM_END, IM_START]) {
        const id = tokenizer.specialTokenId(marker);
        if (id !== undefined) stopIds.push(id);
      }
    }
    if (prompt.length === 0) prompt = endOfText === undefined ? [] : [endOfText];
    if (prompt.length === 0)
      throw new GPTModelError(
        'the prompt is empty and the tokenizer has no <|endoftext|>; pass some text',
      );
    if (prompt.length > budget) {
      result.croppedPromptTokens += prompt.length - budget;
      prompt = prompt.slice(-budget);
    }
    result.promptTokens = prompt.length;
    const ids: number[] = [];
    const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    let pending = '';
    const tokens = generateSingle(model, prompt, {
      ...o,
      maxNewTokens,
      stop: stopIds,
      suppressIds,
    });
    let step = await tokens.next();
    try {
      for (; !step.done; step = await tokens.next()) {
        ids.push(step.value);
        pending += decoder.decode(tokenizer.decodeBytes([step.value]), { stream: true });
        let cut = -1;
        for (const stop of stopTexts) {
          const at = pending.indexOf(stop);
          if (at >= 0 && (cut < 0 || at < cut)) cut = at;
        }
        if (cut >= 0) {
          result.finishReason = 'stop';
          if (cut > 0) yield pending.slice(0, cut);
          pending = '';
          return;
        }
        const emit = pending.length - heldBack(pending, stopTexts);
        if (emit > 0) {
          yield pending.slice(0, emit);
          pending = pending.slice(emit);
        }
      }
      result.finishReason = step.value.finishReason;
      pending += decoder.decode();
      if (pending !== '') yield pending;
    } finally {
      result.completionTokens = ids.length;
      if (!step.done) await tokens.return({ finishReason: 'stop', croppedPromptTokens: 0 });
    }
  }

  const newResult = (): LanguageModelResult => ({
    text: '',
    finishReason: 'length',
    promptTokens: 0,
    completionTokens: 0,
    croppedPromptTokens: 0,
  });

  async function generate(
    input: string | readonly Message[],
    callOptions?: LanguageModelCallOptions,
  ): Promise<LanguageModelResult> {
    const result = newResult();
    const pieces: string[] = [];
    for await (const piece of run(input, callOptions, result)) pieces.push(piece);
    result.text = pieces.join('');
    // A reply as chat-template parses it: reasoning (<think>...</think>) is not part of the text.
    if (typeof input !== 'string') result.text = replyContent(result.text);
    return result;
  }

  return {
    model,
    tokenizer,
    config: model.config,
    generate,
    async complete(text, callOptions) {
      if (typeof text !== 'string')
        throw new GPTModelError(
          `complete takes a string, not ${typeof text}; use chat(messages) for a conversation`,
        );
      return (await generate(text, callOptions)).text;
    },
    async chat(messages, callOptions) {
      if (!Array.isArray(messages))
        throw new GPTModelError(
          `chat takes an array of { role, content } messages, not ${typeof messages}; use complete(text) for plain text`,
        );
      return (await generate(messages, callOptions)).text;
    },
    stream(input, callOptions) {
      return run(input, callOptions, newResult());
    },
    dispose() {
      model.dispose();
    },
  };
}
