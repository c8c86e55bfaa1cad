// `POST /v1/chat/completions`: the OpenAI response shapes around runCompletion — one
// `chat.completion` object, or `chat.completion.chunk` server-sent events ending `data: [DONE]`.
// A client that disconnects aborts its generation at once, which frees its queue slot.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type CompletionEvent, preparePrompt, runCompletion } from './completion.ts';
import type { ChatEngine } from './engine.ts';
import { asServerError, ChatServerError } from './errors.ts';
import { readJsonBody, sendError, sendJson } from './http-io.ts';
import type { ServerLimits } from './limits.ts';
import type { GenerationQueue } from './queue.ts';
import { parseCompletionRequest } from './request.ts';

export interface CompletionsContext {
  engine: ChatEngine;
  limits: ServerLimits;
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

export async function handleCompletions(
  context: CompletionsContext,
  request: IncomingMessage,
  response: ServerResponse,
) {
  const abort = new AbortController();
  const onClose = () => {
    if (!response.writableFinished) abort.abort(new Error('client disconnected'));
  };
  response.on('close', onClose);
  const onShutdown = () => abort.abort(new Error('server shutting down'));
  context.shutdown.addEventListener('abort', onShutdown, { once: true });
  try {
    const body = await readJsonBody(request, context.limits.maxBodyBytes);
    const parsed = parseCompletionRequest(body, context.limits);
    const { promptIds, maxTokens } = preparePrompt({ ...context, request: parsed });
    const events = runCompletion({
      ...context,
      request: parsed,
      promptIds,
      maxTokens,
      signal: abort.signal,
    });
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const model = context.engine.modelId;
    if (!parsed.stream) {
      let text = '';
      for await (const event of events) {
        if (event.type === 'delta') text += event.text;
        if (event.type !== 'end') continue;
        sendJson(response, 200, {
          id,
          object: 'chat.completion',
          created,
          model,
          system_fingerprint: null,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: text, refusal: null },
              logprobs: null,
              finish_reason: event.finishReason,
            },
          ],
          usage: usage(event),
        });
      }
      return;
    }
    const chunk = (delta: object, finishReason: string | null, extra: object = {}) =>
      `data: ${JSON.stringify({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        system_fingerprint: null,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
        ...extra,
      })}\n\n`;
    for await (const event of events) {
      if (event.type === 'start') {
        response.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        response.write(chunk({ role: 'assistant', content: '' }, null));
      } else if (event.type === 'delta') {
        if (event.text) response.write(chunk({ content: event.text }, null));
      } else {
        response.write(chunk({}, event.finishReason));
        if (parsed.includeUsage) {
          response.write(
            `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: usage(event) })}\n\n`,
          );
        }
        response.end('data: [DONE]\n\n');
      }
    }
  } catch (error) {
    if (abort.signal.aborted && response.destroyed) return; // the client left: nobody to tell
    const failure = abort.signal.aborted
      ? asServerError(context.shutdown.aborted ? shutdownError() : error)
      : asServerError(error);
    if (failure.status >= 500) context.log(`[chat] ${String((error as Error)?.stack ?? error)}`);
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
