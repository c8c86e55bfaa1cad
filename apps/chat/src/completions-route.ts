// `POST /v1/chat/completions` and `POST /v1/completions`: the OpenAI response shapes around
// runCompletion — one `chat.completion` (or `text_completion`) object, or server-sent
// `chat.completion.chunk` (`text_completion`) events ending `data: [DONE]`.
// A client that disconnects aborts its generation at once, which frees its queue slot.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type CompletionEvent, preparePrompt, runCompletion } from './completion.ts';
import type { ChatEngine } from './engine.ts';
import { asServerError, ChatServerError } from './errors.ts';
import { readJsonBody, sendError, sendJson } from './http-io.ts';
import type { ServerLimits } from './limits.ts';
import type { GenerationQueue } from './queue.ts';
import { type CompletionRequest, parseCompletionRequest, type RequestDefaults } from './request.ts';
import { noteTokens } from './request-log.ts';
import {
  parseTextCompletionRequest,
  type TextCompletionRequest,
} from './text-completion-request.ts';

export interface CompletionsContext {
  engine: ChatEngine;
  limits: ServerLimits;
  /** Sampling values for fields a request leaves out. */
  defaults: RequestDefaults;
  queue: GenerationQueue;
  /** Aborted when the server shuts down. */
  shutdown: AbortSignal;
  log: (line: string) => void;
}

function usage(event: Extract<CompletionEvent, { type: 'end' }>) {
  return {
    prompt_tokens: event.promptTokens,
    completion_tokens: event.completionTokens,
    total_tokens: event.promptTokens + event.completionTokens,
  };
}

/** The OpenAI response shapes of the two endpoints. */
const shapes = {
  chat: {
    idPrefix: 'chatcmpl-',
    object: 'chat.completion',
    chunkObject: 'chat.completion.chunk',
    choice: (text: string) => ({
      message: { role: 'assistant', content: text, refusal: null },
    }),
    firstChunk: { delta: { role: 'assistant', content: '' } } as object | undefined,
    chunkChoice: (text: string) => ({ delta: text ? { content: text } : {} }),
  },
  text: {
    idPrefix: 'cmpl-',
    object: 'text_completion',
    chunkObject: 'text_completion',
    choice: (text: string) => ({ text }),
    firstChunk: undefined as object | undefined,
    chunkChoice: (text: string) => ({ text }),
  },
};

function parse(
  kind: 'chat' | 'text',
  context: CompletionsContext,
  body: unknown,
): CompletionRequest | TextCompletionRequest {
  return kind === 'chat'
    ? parseCompletionRequest(body, context.limits, context.defaults)
    : parseTextCompletionRequest(
        body,
        context.limits,
        context.engine.tokenizer.vocabSize,
        context.defaults,
      );
}

/** `POST /v1/chat/completions` (kind chat) or `POST /v1/completions` (kind text). */
export async function handleCompletions(
  context: CompletionsContext,
  request: IncomingMessage,
  response: ServerResponse,
  kind: 'chat' | 'text' = 'chat',
) {
  const shape = shapes[kind];
  const abort = new AbortController();
  const onClose = () => {
    if (!response.writableFinished) abort.abort(new Error('client disconnected'));
  };
  response.on('close', onClose);
  const onShutdown = () => abort.abort(new Error('server shutting down'));
  context.shutdown.addEventListener('abort', onShutdown, { once: true });
  try {
    const body = await readJsonBody(request, context.limits.maxBodyBytes);
    const parsed = parse(kind, context, body);
    const { promptIds, maxTokens } = preparePrompt({ ...context, request: parsed });
    const events = runCompletion({
      ...context,
      request: parsed,
      promptIds,
      maxTokens,
      signal: abort.signal,
    });
    // echo: the prompt as the client sent it (ids decoded), before the reply.
    const echo =
      'echo' in parsed && parsed.echo
        ? typeof parsed.prompt === 'string'
          ? parsed.prompt
          : context.engine.tokenizer.decode(parsed.prompt)
        : '';
    const id = `${shape.idPrefix}${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const model = context.engine.modelId;
    if (!parsed.stream) {
      let text = echo;
      for await (const event of events) {
        if (event.type === 'start') noteTokens(response, event.promptTokens, 0);
        if (event.type === 'delta') text += event.text;
        if (event.type !== 'end') continue;
        noteTokens(response, event.promptTokens, event.completionTokens);
        sendJson(response, 200, {
          id,
          object: shape.object,
          created,
          model,
          system_fingerprint: null,
          choices: [
            { index: 0, ...shape.choice(text), logprobs: null, finish_reason: event.finishReason },
          ],
          usage: usage(event),
        });
      }
      return;
    }
    const chunk = (choice: object | undefined, finishReason: string | null, extra: object = {}) =>
      `data: ${JSON.stringify({
        id,
        object: shape.chunkObject,
        created,
        model,
        system_fingerprint: null,
        choices: choice
          ? [{ index: 0, ...choice, logprobs: null, finish_reason: finishReason }]
          : [],
        ...extra,
      })}\n\n`;
    for await (const event of events) {
      if (event.type === 'start') {
        noteTokens(response, event.promptTokens, 0);
        response.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        if (shape.firstChunk) response.write(chunk(shape.firstChunk, null));
        if (echo) response.write(chunk(shape.chunkChoice(echo), null));
      } else if (event.type === 'delta') {
        if (event.text) response.write(chunk(shape.chunkChoice(event.text), null));
      } else {
        noteTokens(response, event.promptTokens, event.completionTokens);
        response.write(chunk(shape.chunkChoice(''), event.finishReason));
        if (parsed.includeUsage) response.write(chunk(undefined, null, { usage: usage(event) }));
        response.end('data: [DONE]\n\n');
      }
    }
  } catch (error) {
    if (abort.signal.aborted && response.destroyed) return; // the client left: nobody to tell
    const failure = abort.signal.aborted
      ? asServerError(context.shutdown.aborted ? shutdownError() : error)
      : asServerError(error);
    if (failure !== error && !abort.signal.aborted)
      context.log(`[chat] ${String((error as Error)?.stack ?? error)}`);
    if (!response.headersSent) sendError(response, failure);
    else if (!response.writableEnded) {
      response.end(`data: ${JSON.stringify(failure.toBody())}\n\ndata: [DONE]\n\n`);
    }
  } finally {
    response.off('close', onClose);
    context.shutdown.removeEventListener('abort', onShutdown);
  }
}

function shutdownError() {
  return new ChatServerError({
    status: 503,
    type: 'service_unavailable',
    message: 'the server is shutting down; retry against a running server',
  });
}
