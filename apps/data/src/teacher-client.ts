// One chat completion from any OpenAI-compatible endpoint (our chat server, llama.cpp, vLLM, a
// hosted API), streamed or not, with a request timeout and retries: 408/409/429/5xx, network
// errors, timeouts, unreadable bodies and streams cut before their end are retried with
// exponential backoff and jitter, waiting what `Retry-After` (or `retry-after-ms`) asks when sent.
// Other 4xx answers are not retried. fetch, sleep and randomness are passed in for tests.

import { LmkitError, type Message } from '@lmkit/core';

export interface TeacherOptions {
  /** Base URL including the API prefix, e.g. `http://127.0.0.1:8000/v1` (like the openai client). */
  baseUrl: string;
  model: string;
  /** Sent as `Authorization: Bearer KEY` when set. */
  apiKey?: string;
  /** Extra request fields (temperature, max_tokens, seed, ...), sent as given. */
  body?: Record<string, unknown>;
  /** Server-sent events instead of one JSON body; default false. */
  stream?: boolean;
  /** One attempt's limit, headers and body together; default 120,000 ms. */
  timeoutMs?: number;
  /** Retries after the first attempt; default 5. */
  maxRetries?: number;
  /** First backoff, doubled each retry with ±50% jitter; default 1,000 ms. */
  backoffMs?: number;
  /** Largest wait between attempts, Retry-After included; default 60,000 ms. */
  maxWaitMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Told of each retry: the attempt that failed, why, and the wait before the next. */
  onRetry?: (info: { attempt: number; reason: string; waitMs: number }) => void;
}

export interface TeacherReply {
  content: string;
  /** `reasoning_content` (DeepSeek, llama.cpp) or `reasoning` (vLLM, OpenRouter), when sent. */
  reasoning?: string;
  finishReason: string | null;
  /** Attempts made (1 when the first succeeded). */
  attempts: number;
}

/** A request the server refused (a 4xx other than 408/409/429): retrying would not help. */
export class TeacherRequestError extends LmkitError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Every attempt failed with a retryable problem. */
export class TeacherUnavailableError extends LmkitError {}

class Retryable extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

const RETRY_STATUS = new Set([408, 409, 429]);

/** Asks the teacher for the next assistant message after `messages`. */
export async function askTeacher(
  messages: readonly Message[],
  options: TeacherOptions,
): Promise<TeacherReply> {
  const maxRetries = options.maxRetries ?? 5;
  const sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return { ...(await attemptOnce(messages, options)), attempts: attempt };
    } catch (error) {
      if (!(error instanceof Retryable)) throw error;
      if (attempt > maxRetries) {
        throw new TeacherUnavailableError(
          `${options.baseUrl}: ${attempt} attempts failed, the last with ${error.message}; check that the server is up, or raise --max-retries / --timeout-ms`,
        );
      }
      const backoff = (options.backoffMs ?? 1000) * 2 ** (attempt - 1) * (0.5 + random());
      const waitMs = Math.min(options.maxWaitMs ?? 60_000, error.retryAfterMs ?? backoff);
      options.onRetry?.({ attempt, reason: error.message, waitMs });
      await sleep(waitMs);
    }
  }
}

async function attemptOnce(
  messages: readonly Message[],
  options: TeacherOptions,
): Promise<Omit<TeacherReply, 'attempts'>> {
  const url = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const signal = AbortSignal.timeout(timeoutMs);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  const wire = messages.map((m) => ({ role: m.role, content: m.content }));
  const body = { ...options.body, model: options.model, messages: wire, stream: !!options.stream };
  const failed = (error: unknown) =>
    signal.aborted
      ? new Retryable(`no complete answer within ${timeoutMs} ms`)
      : new Retryable(`a connection error (${(error as Error).message})`);
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      signal,
    });
  } catch (error) {
    throw failed(error);
  }
  if (!response.ok) {
    const text = await response.text().catch(() => '');
    const detail = `HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
    if (RETRY_STATUS.has(response.status) || response.status >= 500) {
      throw new Retryable(detail, retryAfterMs(response.headers));
    }
    throw new TeacherRequestError(response.status, `${url} answered ${detail}`);
  }
  try {
    return options.stream ? await readStream(response) : readBody(await response.json());
  } catch (error) {
    if (error instanceof Retryable) throw error;
    throw failed(error);
  }
}

function readBody(json: unknown): Omit<TeacherReply, 'attempts'> {
  const choice = (
    json as { choices?: { message?: Record<string, unknown>; finish_reason?: string }[] }
  )?.choices?.[0];
  if (!choice?.message) throw new Retryable('an answer without choices[0].message');
  return reply(
    choice.message.content,
    choice.message.reasoning_content ?? choice.message.reasoning,
    choice.finish_reason,
  );
}

/** Reads server-sent events; a stream that ends before a finish_reason or [DONE] was cut. */
async function readStream(response: Response): Promise<Omit<TeacherReply, 'attempts'>> {
  let content = '';
  let reasoning = '';
  let finishReason: string | undefined;
  let done = false;
  let pending = '';
  const decoder = new TextDecoder();
  const handle = (line: string) => {
    if (!line.startsWith('data:')) return;
    const data = line.slice(5).trim();
    if (data === '[DONE]') {
      done = true;
      return;
    }
    const choice = JSON.parse(data)?.choices?.[0];
    const delta = choice?.delta ?? {};
    if (typeof delta.content === 'string') content += delta.content;
    const thought = delta.reasoning_content ?? delta.reasoning;
    if (typeof thought === 'string') reasoning += thought;
    if (choice?.finish_reason) finishReason = choice.finish_reason;
  };
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) handle(line.trimEnd());
  }
  handle(pending.trimEnd());
  if (!done && finishReason === undefined) {
    throw new Retryable(
      `a stream cut after ${content.length} characters (no finish_reason, no [DONE])`,
    );
  }
  return reply(content, reasoning || undefined, finishReason);
}

function reply(content: unknown, reasoning: unknown, finishReason: unknown) {
  const out: Omit<TeacherReply, 'attempts'> = {
    content: typeof content === 'string' ? content : '',
    finishReason: typeof finishReason === 'string' ? finishReason : null,
  };
  if (typeof reasoning === 'string' && reasoning.trim() !== '') out.reasoning = reasoning;
  return out;
}

/** `retry-after-ms`, or `Retry-After` in seconds or as an HTTP date; undefined when absent. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.get('retry-after-ms') !== null && Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  const seconds = Number(value);
  if (value.trim() !== '' && Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
