// Validation of a `POST /v1/chat/completions` body into typed options, with OpenAI-style 400s.
// Supported: model, messages (system/developer/user/assistant; string or text parts), max_tokens
// (or max_completion_tokens), temperature, top_p, stop, seed, n=1, stream, stream_options.
import type { ChatMessage, ChatRole } from './engine.ts';
import { badRequest } from './errors.ts';
import type { ServerLimits } from './limits.ts';

export interface CompletionRequest {
  model: string;
  messages: ChatMessage[];
  /** Undefined: as many as fit, up to the server's limit. */
  maxTokens: number | undefined;
  temperature: number;
  topP: number;
  /** The server's --top-k (requests cannot set it); undefined: all tokens. */
  topK: number | undefined;
  stop: string[];
  seed: number | undefined;
  stream: boolean;
  includeUsage: boolean;
}

/**
 * The server's sampling defaults (`pnpm chat --temperature --top-k --top-p --max-new-tokens
 * --seed`), used for each field a request does not set; a request's own value wins.
 */
export interface RequestDefaults {
  temperature?: number;
  topK?: number;
  topP?: number;
  /** max_tokens when a request sends none, capped at the room the context leaves. */
  maxNewTokens?: number;
  seed?: number;
}

const roles = new Set(['system', 'developer', 'user', 'assistant']);
/** Fields that change the output, which this server does not implement: rejected, not ignored. */
const unsupported = ['tools', 'functions', 'function_call', 'audio', 'prediction'];
/** Fields this server reads (or checks are no-ops); any other field is refused, not ignored. */
const knownFields = new Set([
  'model',
  'messages',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'stop',
  'seed',
  'n',
  'stream',
  'stream_options',
  'frequency_penalty',
  'presence_penalty',
  'logprobs',
  'top_logprobs',
  'logit_bias',
  'response_format',
  'modalities',
  'tool_choice',
  'parallel_tool_calls',
  ...unsupported,
  // Bookkeeping fields that do not change the reply: accepted and ignored.
  'user',
  'metadata',
  'store',
  'service_tier',
  'safety_identifier',
  'prompt_cache_key',
]);

/** No-op values of output-changing fields (`response_format: {type: "text"}`, `logit_bias: {}`): accepted. */
function checkNoOps(body: Record<string, unknown>) {
  const format = body.response_format;
  if (format !== undefined && format !== null && !(isObject(format) && format.type === 'text')) {
    throw badRequest(
      `response_format ${JSON.stringify(format)} is not supported (no JSON mode or schemas); omit it or pass {"type":"text"}`,
      'response_format',
    );
  }
  const bias = body.logit_bias;
  if (bias !== undefined && bias !== null && !(isObject(bias) && Object.keys(bias).length === 0)) {
    throw badRequest(
      'logit_bias is not supported by this server; omit it or pass {}',
      'logit_bias',
    );
  }
  const modalities = body.modalities;
  if (
    modalities !== undefined &&
    modalities !== null &&
    !(Array.isArray(modalities) && modalities.every((m) => m === 'text'))
  ) {
    throw badRequest(
      'this model produces text only; omit modalities or pass ["text"]',
      'modalities',
    );
  }
  const toolChoice = body.tool_choice;
  if (
    toolChoice !== undefined &&
    toolChoice !== null &&
    toolChoice !== 'none' &&
    toolChoice !== 'auto'
  ) {
    throw badRequest(
      'tool_choice is not supported (no tools); omit it or pass "none"',
      'tool_choice',
    );
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numberIn(body: Record<string, unknown>, name: string, low: number, high: number) {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < low || value > high) {
    throw badRequest(
      `${name}=${JSON.stringify(value)} is out of range; pass a number from ${low} to ${high}`,
      name,
    );
  }
  return value;
}

function messageContent(content: unknown, index: number) {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    let text = '';
    for (const part of content) {
      if (!isObject(part) || part.type !== 'text' || typeof part.text !== 'string') {
        throw badRequest(
          `messages[${index}].content has a part of type ${JSON.stringify(isObject(part) ? part.type : part)}; this model reads text only: send {"type":"text","text":"..."} parts or a string`,
          `messages[${index}].content`,
        );
      }
      text += part.text;
    }
    return text;
  }
  throw badRequest(
    `messages[${index}].content must be a string (got ${content === null ? 'null' : typeof content})`,
    `messages[${index}].content`,
  );
}

export function parseMessages(value: unknown, limits: ServerLimits): ChatMessage[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw badRequest(
      'messages must be a non-empty array of {"role","content"} objects',
      'messages',
    );
  }
  if (value.length > limits.maxMessages) {
    throw badRequest(
      `messages has ${value.length} entries, more than the limit of ${limits.maxMessages}; shorten the conversation`,
      'messages',
    );
  }
  return value.map((message, index) => {
    if (!isObject(message)) throw badRequest(`messages[${index}] must be an object`, 'messages');
    const role = message.role;
    if (typeof role !== 'string' || !roles.has(role)) {
      throw badRequest(
        `messages[${index}].role ${JSON.stringify(role)} is not supported; use "system", "user" or "assistant"`,
        `messages[${index}].role`,
      );
    }
    const content = messageContent(message.content, index);
    return { role: (role === 'developer' ? 'system' : role) as ChatRole, content };
  });
}

function parseStop(value: unknown, limits: ServerLimits) {
  if (value === undefined || value === null) return [];
  const list = typeof value === 'string' ? [value] : value;
  if (
    !Array.isArray(list) ||
    list.length > limits.maxStopSequences ||
    list.some((item) => typeof item !== 'string' || item.length === 0)
  ) {
    throw badRequest(
      `stop must be a non-empty string or up to ${limits.maxStopSequences} non-empty strings (got ${JSON.stringify(value)})`,
      'stop',
    );
  }
  return list as string[];
}

/** The request body (already JSON-parsed) as typed options; throws a 400 ChatServerError. */
export function parseCompletionRequest(
  body: unknown,
  limits: ServerLimits,
  defaults: RequestDefaults = {},
): CompletionRequest {
  if (!isObject(body)) throw badRequest('the request body must be a JSON object');
  if (typeof body.model !== 'string' || body.model.length === 0) {
    throw badRequest('model is required: pass the id listed by GET /v1/models', 'model');
  }
  for (const name of Object.keys(body)) {
    if (!knownFields.has(name)) {
      throw badRequest(
        `unknown field ${JSON.stringify(name)}; this server reads ${[...knownFields].join(', ')} (see the chat README)`,
        name,
      );
    }
  }
  checkNoOps(body);
  for (const name of unsupported) {
    const value = body[name];
    if (value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0)) {
      throw badRequest(`${name} is not supported by this server; remove it`, name);
    }
  }
  for (const name of ['frequency_penalty', 'presence_penalty']) {
    if (body[name] !== undefined && body[name] !== null && body[name] !== 0) {
      throw badRequest(`${name} is not supported by this server; omit it or pass 0`, name);
    }
  }
  for (const name of ['logprobs', 'top_logprobs']) {
    if (
      body[name] !== undefined &&
      body[name] !== null &&
      body[name] !== false &&
      body[name] !== 0
    ) {
      throw badRequest(`${name} is not supported by this server; omit it`, name);
    }
  }
  if (body.n !== undefined && body.n !== null && body.n !== 1) {
    throw badRequest(`n=${JSON.stringify(body.n)} is not supported; this server returns n=1`, 'n');
  }
  const maxTokensName =
    body.max_completion_tokens !== undefined ? 'max_completion_tokens' : 'max_tokens';
  const maxTokens = body[maxTokensName];
  if (
    maxTokens !== undefined &&
    maxTokens !== null &&
    (!Number.isInteger(maxTokens) ||
      (maxTokens as number) < 1 ||
      (maxTokens as number) > limits.maxReplyTokens)
  ) {
    throw badRequest(
      `${maxTokensName}=${JSON.stringify(maxTokens)} is out of range; pass an integer from 1 to ${limits.maxReplyTokens} (the server's --max-reply-tokens)`,
      maxTokensName,
    );
  }
  const seed = body.seed;
  if (seed !== undefined && seed !== null && !Number.isSafeInteger(seed)) {
    throw badRequest(`seed=${JSON.stringify(seed)} must be an integer`, 'seed');
  }
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') {
    throw badRequest(`stream=${JSON.stringify(body.stream)} must be true or false`, 'stream');
  }
  const streamOptions = body.stream_options;
  // top_p 0 keeps only the most likely token: the same as greedy decoding.
  const topP = numberIn(body, 'top_p', 0, 1) ?? defaults.topP ?? 1;
  const temperature =
    topP === 0 ? 0 : (numberIn(body, 'temperature', 0, 2) ?? defaults.temperature ?? 1);
  return {
    model: body.model,
    messages: parseMessages(body.messages, limits),
    maxTokens: (maxTokens ?? undefined) as number | undefined,
    temperature,
    topP: topP === 0 ? 1 : topP,
    topK: defaults.topK,
    stop: parseStop(body.stop, limits),
    seed: (seed ?? defaults.seed) as number | undefined,
    stream: body.stream === true,
    includeUsage: isObject(streamOptions) && streamOptions.include_usage === true,
  };
}
