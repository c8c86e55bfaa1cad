// The small interface the HTTP layer serves: a model id, a tokenizer, prompt rendering and token
// generation. The real engine (model-engine.ts) wraps an lmkit checkpoint; tests build their own.
// Decoding, stop strings, limits and finish reasons live above this line, in completion.ts.

import type { Message, Role, TokenizerLike } from '@lmkit/core';

/** A chat message and its role: @lmkit/core's contract. */
export type ChatRole = Role;
export type ChatMessage = Message;

/** The structural tokenizer every lmkit package agrees on, as @lmkit/core declares it. */
export type { TokenizerLike };

export interface SamplingOptions {
  /** Most new tokens to produce; the engine may stop earlier at a stop token. */
  maxNewTokens: number;
  /** 0 = greedy. */
  temperature: number;
  /** Nucleus sampling mass in (0, 1]; 1 turns it off. */
  topP: number;
  /** Sample among the k most likely tokens only; undefined: all of them. */
  topK?: number;
  /** Token ids that end the reply (the engine may yield the stop id, or end before it). */
  stopTokenIds: number[];
  /** Sampling seed; the same seed, prompt and options give the same reply. */
  seed: number;
}

export interface ChatEngine {
  /** The id clients pass as `model`. */
  readonly modelId: string;
  /** Longest sequence (prompt + reply) the model accepts, in tokens. */
  readonly contextTokens: number;
  readonly tokenizer: TokenizerLike;
  /**
   * False for a base model (a tokenizer without chat markers): only /v1/completions serves it.
   * Default true.
   */
  readonly chat?: boolean;
  /** Ids of the tokens that end an assistant turn (`<|im_end|>`, `<|endoftext|>`). */
  readonly stopTokenIds: number[];
  /**
   * The conversation rendered with the chat markers, ending with the assistant's generation
   * prompt. Message text is encoded as ordinary text, so it can never produce a marker id.
   * `replyMask` marks the tokens that belong to assistant replies (1) for the token view.
   */
  render(
    messages: ChatMessage[],
    options: { addGenerationPrompt: boolean },
  ): {
    ids: number[];
    replyMask: number[];
  };
  /** New token ids after `promptIds`; stops when the consumer stops iterating. */
  generate(promptIds: number[], options: SamplingOptions): AsyncIterable<number>;
  dispose?(): void;
}
