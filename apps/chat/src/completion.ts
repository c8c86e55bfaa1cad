// One chat completion as a stream of events: render the conversation, check it fits the
// context, wait for a generation slot, then turn generated ids into text deltas until a stop
// token, a stop sequence, max_tokens or the caller's abort. Shared by streaming and not.
import { randomInt } from 'node:crypto';
import type { ChatEngine } from './engine.ts';
import { badRequest, ChatServerError } from './errors.ts';
import type { ServerLimits } from './limits.ts';
import type { GenerationQueue } from './queue.ts';
import type { CompletionRequest } from './request.ts';
import { IncrementalDecoder, StopMatcher } from './text-stream.ts';

export type FinishReason = 'stop' | 'length';

export type CompletionEvent =
  | { type: 'start'; promptTokens: number }
  | { type: 'delta'; text: string; tokenIds: number[] }
  | { type: 'end'; finishReason: FinishReason; promptTokens: number; completionTokens: number };

/** Lets the event loop run (socket writes, new connections, aborts) between model steps. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The iterator's values until it ends or the signal aborts; an abort ends the wait at once (the
 * engine's current step is left to finish on its own and its generator is closed after it).
 */
async function* untilAborted<T>(iterable: AsyncIterable<T>, signal: AbortSignal) {
  const iterator = iterable[Symbol.asyncIterator]();
  let aborted: (() => void) | undefined;
  const abortedPromise = new Promise<'aborted'>((resolve) => {
    aborted = () => resolve('aborted');
    signal.addEventListener('abort', aborted, { once: true });
  });
  let finished = false;
  try {
    for (;;) {
      signal.throwIfAborted();
      const next = await Promise.race([iterator.next(), abortedPromise]);
      if (next === 'aborted') signal.throwIfAborted();
      if (next === 'aborted' || next.done) {
        finished = next !== 'aborted';
        return;
      }
      yield next.value;
    }
  } finally {
    signal.removeEventListener('abort', aborted!);
    // Closing a generator that is mid-step waits for the step: do not hold the caller on it.
    if (!finished) iterator.return?.().catch(() => {});
  }
}

/** 404 for a model id this server does not serve (OpenAI's status and code). */
export function modelNotFound(model: string, served: string) {
  return new ChatServerError({
    status: 404,
    type: 'invalid_request_error',
    param: 'model',
    code: 'model_not_found',
    message: `The model ${JSON.stringify(model)} does not exist on this server; use ${JSON.stringify(served)} (GET /v1/models)`,
  });
}

/**
 * Checks the model and the context length before any queueing; returns the prompt ids and the
 * reply budget. A chat request is rendered with the chat markers; a text request is its prompt.
 */
export function preparePrompt(options: {
  engine: ChatEngine;
  request: { model: string; maxTokens: number | undefined } & (
    | { messages: CompletionRequest['messages'] }
    | { prompt: string | number[] }
  );
  limits: ServerLimits;
  /** The server's default max_tokens (--max-new-tokens), capped at the room left. */
  defaults?: { maxNewTokens?: number };
}) {
  const { engine, request, limits } = options;
  if (request.model !== engine.modelId) throw modelNotFound(request.model, engine.modelId);
  let promptIds: number[];
  if ('messages' in request) {
    if (engine.chat === false) {
      throw new ChatServerError({
        status: 404,
        type: 'invalid_request_error',
        param: 'model',
        code: 'model_not_chat',
        message: `${JSON.stringify(engine.modelId)} is a base model (its tokenizer has no chat markers) and is not supported in the v1/chat/completions endpoint; use POST /v1/completions with a prompt`,
      });
    }
    promptIds = engine.render(request.messages, { addGenerationPrompt: true }).ids;
  } else {
    promptIds =
      typeof request.prompt === 'string'
        ? engine.tokenizer.encodeOrdinary(request.prompt)
        : request.prompt;
  }
  const what = 'messages' in request ? 'messages' : 'prompt';
  const room = engine.contextTokens - promptIds.length;
  if (room < 1) {
    throw badRequest(
      `this model's context is ${engine.contextTokens} tokens and the ${what} take ${promptIds.length}, leaving no room for a reply: shorten the ${what === 'messages' ? 'conversation (drop the oldest turns)' : 'prompt'}`,
      what,
      'context_length_exceeded',
    );
  }
  const maxTokens =
    request.maxTokens ?? Math.min(options.defaults?.maxNewTokens ?? limits.maxReplyTokens, room);
  if (maxTokens > room) {
    throw badRequest(
      `this model's context is ${engine.contextTokens} tokens; the ${what} take ${promptIds.length} and max_tokens asks for ${maxTokens} more, but only ${room} are left: lower max_tokens to ${room} or shorten the ${what}`,
      what,
      'context_length_exceeded',
    );
  }
  return { promptIds, maxTokens };
}

export async function* runCompletion(options: {
  engine: ChatEngine;
  request: Pick<CompletionRequest, 'temperature' | 'topP' | 'topK' | 'stop' | 'seed'>;
  promptIds: number[];
  maxTokens: number;
  queue: GenerationQueue;
  signal: AbortSignal;
}): AsyncGenerator<CompletionEvent> {
  const { engine, request, promptIds, maxTokens, signal } = options;
  const release = await options.queue.acquire(signal);
  try {
    yield { type: 'start', promptTokens: promptIds.length };
    const decoder = new IncrementalDecoder((ids) => engine.tokenizer.decode(ids));
    const matcher = new StopMatcher(request.stop);
    const stopIds = new Set(engine.stopTokenIds);
    let completionTokens = 0;
    let finishReason: FinishReason = 'stop';
    let pendingIds: number[] = [];
    const ids = untilAborted(
      engine.generate(promptIds, {
        maxNewTokens: maxTokens,
        temperature: request.temperature,
        topP: request.topP,
        topK: request.topK,
        stopTokenIds: engine.stopTokenIds,
        seed: request.seed ?? randomInt(2 ** 31),
      }),
      signal,
    );
    for await (const id of ids) {
      completionTokens++;
      if (stopIds.has(id)) break;
      pendingIds.push(id);
      const text = matcher.push(decoder.push(id));
      if (text) {
        yield { type: 'delta', text, tokenIds: pendingIds };
        pendingIds = [];
      }
      if (matcher.stopped) break;
      if (completionTokens >= maxTokens) {
        finishReason = 'length';
        break;
      }
      await yieldToEventLoop();
      signal.throwIfAborted();
    }
    const rest = matcher.push(decoder.flush()) + matcher.flush();
    if (rest || pendingIds.length > 0) yield { type: 'delta', text: rest, tokenIds: pendingIds };
    yield { type: 'end', finishReason, promptTokens: promptIds.length, completionTokens };
  } finally {
    release();
  }
}
