// Validation of a `POST /v1/completions` body (OpenAI's legacy text completions): `prompt` (a
// string, one string in an array, or token ids), `echo`, and the sampling fields shared with chat
// completions, which are checked by the chat parser (request.ts) so both endpoints agree.
// `max_tokens` defaults to 16 as OpenAI's does (or to the server's --max-new-tokens); `suffix`, `best_of` > 1 and `logprobs` are refused.
import { badRequest } from './errors.ts';
import type { ServerLimits } from './limits.ts';
import { type CompletionRequest, parseCompletionRequest, type RequestDefaults } from './request.ts';

export interface TextCompletionRequest extends Omit<CompletionRequest, 'messages'> {
  /** The prompt as text, or as token ids when the client sent ids. */
  prompt: string | number[];
  /** Prepend the prompt to the returned text. */
  echo: boolean;
}

/** OpenAI's default for `max_tokens` on /v1/completions. */
export const defaultTextMaxTokens = 16;

const legacyOnly = ['prompt', 'echo', 'suffix', 'best_of', 'logprobs'];

function parsePrompt(value: unknown, vocabSize: number): string | number[] {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'string') return value[0];
  const ids =
    Array.isArray(value) && value.length === 1 && Array.isArray(value[0]) ? value[0] : value;
  if (
    Array.isArray(ids) &&
    ids.length > 0 &&
    ids.every((id) => Number.isInteger(id) && id >= 0 && id < vocabSize)
  ) {
    return ids as number[];
  }
  throw badRequest(
    `prompt must be a string, one string in an array, or token ids from 0 to ${vocabSize - 1} (got ${JSON.stringify(value)?.slice(0, 80)}); batches of prompts are not supported: send one request per prompt`,
    'prompt',
  );
}

/** The request body (already JSON-parsed) as typed options; throws a 400 ChatServerError. */
export function parseTextCompletionRequest(
  body: unknown,
  limits: ServerLimits,
  vocabSize: number,
  defaults: RequestDefaults = {},
): TextCompletionRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('the request body must be a JSON object');
  }
  const fields = body as Record<string, unknown>;
  if (fields.prompt === undefined || fields.prompt === null) {
    throw badRequest('prompt is required: pass the text to continue', 'prompt');
  }
  const prompt = parsePrompt(fields.prompt, vocabSize);
  if (typeof fields.suffix === 'string' && fields.suffix.length > 0) {
    throw badRequest(
      'suffix is not supported by this server (no fill-in-the-middle); remove it',
      'suffix',
    );
  }
  if (fields.best_of !== undefined && fields.best_of !== null && fields.best_of !== 1) {
    throw badRequest(
      `best_of=${JSON.stringify(fields.best_of)} is not supported; omit it or pass 1`,
      'best_of',
    );
  }
  if (fields.logprobs !== undefined && fields.logprobs !== null && fields.logprobs !== 0) {
    throw badRequest('logprobs is not supported by this server; omit it', 'logprobs');
  }
  if (fields.echo !== undefined && fields.echo !== null && typeof fields.echo !== 'boolean') {
    throw badRequest(`echo=${JSON.stringify(fields.echo)} must be true or false`, 'echo');
  }
  // The shared fields go through the chat parser with a stand-in message.
  const shared = Object.fromEntries(
    Object.entries(fields).filter(([name]) => !legacyOnly.includes(name)),
  );
  const { messages: _messages, ...request } = parseCompletionRequest(
    { ...shared, messages: [{ role: 'user', content: '' }] },
    limits,
    defaults,
  );
  return {
    ...request,
    // The server's default is capped to the context's room later (preparePrompt).
    maxTokens:
      request.maxTokens ??
      (defaults.maxNewTokens === undefined
        ? Math.min(defaultTextMaxTokens, limits.maxReplyTokens)
        : undefined),
    prompt,
    echo: fields.echo === true,
  };
}
