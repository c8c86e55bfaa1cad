// The shapes that cross package boundaries: documents, conversations, the tokenizer interface and
// generation options. Declared once here; packages import them instead of declaring their own, and a
// user may still pass structurally equal objects.

/** One text document as crawled, filtered, stored and tokenized. */
export interface Document {
  id: string;
  text: string;
  url?: string;
  html?: string;
  metadata: Record<string, unknown>;
}

export type Role = 'system' | 'user' | 'assistant';
export const ROLES: readonly Role[] = ['system', 'user', 'assistant'];

export interface Message {
  role: Role;
  content: string;
  /** Chain of thought before the answer (assistant messages only). */
  reasoning?: string;
}

export interface Conversation {
  messages: Message[];
  /** Optional source id (e.g. the oasst leaf message id), for tracing and hashing splits. */
  id?: string;
}

/**
 * What chat-template, datasets, trainer and evals need of a tokenizer. `@lmkit/bpe`'s Tokenizer
 * implements it; another tokenizer with the same methods plugs in as well.
 */
export interface TokenizerLike {
  /** Largest id + 1, special tokens included. */
  readonly vocabSize: number;
  /** Encodes text as ordinary tokens; never yields special ids, even for `<|im_end|>` spelled out. */
  encodeOrdinary(text: string): number[];
  encode(
    text: string,
    options?: { allowedSpecial?: 'all' | readonly string[] | ReadonlySet<string> },
  ): number[];
  decode(ids: readonly number[]): string;
  specialTokenId(name: string): number | undefined;
}

/** How the next token is chosen from a row of logits. */
export interface SamplingOptions {
  /** 0 = greedy (argmax). Default 1. */
  temperature?: number;
  /** Keep only the k most likely tokens. */
  topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches p (nucleus). */
  topP?: number;
}

/** Token-level generation: what gpt-model's `generate` and the trainer's sampling take. */
export interface GenerateOptions extends SamplingOptions {
  /** New tokens at most; each generator documents its default (gpt-model: 256). */
  maxNewTokens?: number;
  /** Token ids that end a sequence. */
  stop?: number[];
  /** Seeds sampling; the same seed repeats the same tokens. */
  seed?: number;
  /** Reuse keys and values of earlier positions (default true); false recomputes every step. */
  kvCache?: boolean;
}

/** Why a generation ended: a stop token or string, the token budget, or the context window. */
export type FinishReason = 'stop' | 'length' | 'context';
