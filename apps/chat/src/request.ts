// Validation of a `POST /v1/chat/completions` body into typed options, with OpenAI-style 400s,
// from one zod schema: every field the server reads (or accepts as a no-op) is declared once,
// with its limits; any other field is refused, never ignored. The first zod issue becomes one
// 400 whose message names the value, the limit and the fix, and whose `param` is the field.
// Supported: model, messages (system/developer/user/assistant; string or text parts), max_tokens
// (or max_completion_tokens), temperature, top_p, stop, seed, n=1, stream, stream_options.
import { issuePath } from '@lmkit/cli-kit';
import { z } from 'zod';
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

/** Fields that change the output, which this server does not implement: empty or absent only. */
const unsupported = ['tools', 'functions', 'function_call', 'audio', 'prediction'] as const;

const roleNames = ['system', 'developer', 'user', 'assistant'] as const;
const textPart = z.looseObject({ type: z.literal('text'), text: z.string() });
const message = z.looseObject({
  role: z.enum(roleNames),
  content: z.union([z.string(), z.array(textPart)]),
});
const messagesSchema = (limits: ServerLimits) => z.array(message).min(1).max(limits.maxMessages);

/** The request body; the key order is the order the unknown-field message lists them in. */
function bodySchema(limits: ServerLimits) {
  const anything = z.unknown().optional();
  const count = (low: number, high: number) => z.number().min(low).max(high).nullish();
  const stop = z.string().min(1);
  return z.strictObject({
    model: z.string().min(1),
    messages: messagesSchema(limits),
    max_tokens: z.int().min(1).max(limits.maxReplyTokens).nullish(),
    max_completion_tokens: z.int().min(1).max(limits.maxReplyTokens).nullish(),
    temperature: count(0, 2),
    top_p: count(0, 1),
    stop: z.union([stop, z.array(stop).max(limits.maxStopSequences)]).nullish(),
    seed: z.int().nullish(),
    n: z.literal(1).nullish(),
    stream: z.boolean().nullish(),
    stream_options: anything,
    // No-op values of output-changing fields, as OpenAI's clients send them.
    frequency_penalty: z.literal(0).nullish(),
    presence_penalty: z.literal(0).nullish(),
    logprobs: z.literal([false, 0]).nullish(),
    top_logprobs: z.literal([false, 0]).nullish(),
    logit_bias: z.strictObject({}).nullish(),
    response_format: z.looseObject({ type: z.literal('text') }).nullish(),
    modalities: z.array(z.literal('text')).nullish(),
    tool_choice: z.enum(['none', 'auto']).nullish(),
    parallel_tool_calls: anything,
    ...Object.fromEntries(unsupported.map((name) => [name, z.array(z.unknown()).max(0).nullish()])),
    // Bookkeeping fields that do not change the reply: accepted and ignored.
    user: anything,
    metadata: anything,
    store: anything,
    service_tier: anything,
    safety_identifier: anything,
    prompt_cache_key: anything,
  });
}

type Body = z.infer<ReturnType<typeof bodySchema>>;

/** One schema per limits object (the server resolves its limits once). */
const schemas = new WeakMap<ServerLimits, ReturnType<typeof bodySchema>>();
function schemaFor(limits: ServerLimits) {
  const known = schemas.get(limits);
  if (known) return known;
  const schema = bodySchema(limits);
  schemas.set(limits, schema);
  return schema;
}

const json = (value: unknown) => JSON.stringify(value) ?? String(value);

/** The message for an issue in the field `name`, given the offending `value`. */
function fieldMessage(name: string, value: unknown, limits: ServerLimits): string {
  switch (name) {
    case 'model':
      return 'model is required: pass the id listed by GET /v1/models';
    case 'max_tokens':
    case 'max_completion_tokens':
      return `${name}=${json(value)} is out of range; pass an integer from 1 to ${limits.maxReplyTokens} (the server's --max-reply-tokens)`;
    case 'temperature':
      return `temperature=${json(value)} is out of range; pass a number from 0 to 2`;
    case 'top_p':
      return `top_p=${json(value)} is out of range; pass a number from 0 to 1`;
    case 'stop':
      return `stop must be a non-empty string or up to ${limits.maxStopSequences} non-empty strings (got ${json(value)})`;
    case 'seed':
      return `seed=${json(value)} must be an integer`;
    case 'n':
      return `n=${json(value)} is not supported; this server returns n=1`;
    case 'stream':
      return `stream=${json(value)} must be true or false`;
    case 'frequency_penalty':
    case 'presence_penalty':
      return `${name} is not supported by this server; omit it or pass 0`;
    case 'logprobs':
    case 'top_logprobs':
      return `${name} is not supported by this server; omit it`;
    case 'logit_bias':
      return 'logit_bias is not supported by this server; omit it or pass {}';
    case 'response_format':
      return `response_format ${json(value)} is not supported (no JSON mode or schemas); omit it or pass {"type":"text"}`;
    case 'modalities':
      return 'this model produces text only; omit modalities or pass ["text"]';
    case 'tool_choice':
      return 'tool_choice is not supported (no tools); omit it or pass "none"';
    default:
      return `${name} is not supported by this server; remove it`;
  }
}

/** The message and param of an issue under `messages`. */
function messagesProblem(issue: z.core.$ZodIssue, messages: unknown, limits: ServerLimits) {
  const [, index, field] = issue.path;
  if (typeof index !== 'number') {
    if (Array.isArray(messages) && messages.length > limits.maxMessages) {
      return {
        message: `messages has ${messages.length} entries, more than the limit of ${limits.maxMessages}; shorten the conversation`,
        param: 'messages',
      };
    }
    return {
      message: 'messages must be a non-empty array of {"role","content"} objects',
      param: 'messages',
    };
  }
  const entry = (messages as unknown[])[index] as Record<string, unknown> | null;
  if (field === 'role') {
    return {
      message: `messages[${index}].role ${json(entry?.role)} is not supported; use "system", "user" or "assistant"`,
      param: `messages[${index}].role`,
    };
  }
  if (field === 'content') {
    const content = entry?.content;
    const param = `messages[${index}].content`;
    if (Array.isArray(content)) {
      const part = content.find((p) => textPart.safeParse(p).success === false);
      const type =
        typeof part === 'object' && part !== null ? (part as { type?: unknown }).type : part;
      return {
        message: `${param} has a part of type ${json(type)}; this model reads text only: send {"type":"text","text":"..."} parts or a string`,
        param,
      };
    }
    return {
      message: `${param} must be a string (got ${content === null ? 'null' : typeof content})`,
      param,
    };
  }
  return {
    message: `messages[${index}] must be an object with a role and content`,
    param: `messages[${index}]`,
  };
}

/** The first issue of a failed parse as a 400 ChatServerError. */
function requestError(issues: readonly z.core.$ZodIssue[], body: unknown, limits: ServerLimits) {
  const issue = issues[0];
  const [name] = issue.path;
  if (issue.code === 'unrecognized_keys' && issue.path.length === 0) {
    const field = issue.keys[0];
    return badRequest(
      `unknown field ${json(field)}; this server reads ${Object.keys(schemaFor(limits).shape).join(', ')} (see the chat README)`,
      field,
    );
  }
  if (typeof name !== 'string') return badRequest('the request body must be a JSON object');
  const value = (body as Record<string, unknown>)[name];
  if (name === 'messages') {
    const { message, param } = messagesProblem(issue, value, limits);
    return badRequest(message, param);
  }
  return badRequest(fieldMessage(name, value, limits), issuePath(issue.path.slice(0, 1)));
}

function chatMessages(messages: Body['messages']): ChatMessage[] {
  return messages.map(({ role, content }) => ({
    role: (role === 'developer' ? 'system' : role) as ChatRole,
    content: typeof content === 'string' ? content : content.map((part) => part.text).join(''),
  }));
}

/** A conversation (`messages` of a request body) as chat messages; throws a 400 ChatServerError. */
export function parseMessages(value: unknown, limits: ServerLimits): ChatMessage[] {
  const parsed = z.object({ messages: messagesSchema(limits) }).safeParse({ messages: value });
  if (!parsed.success) throw requestError(parsed.error.issues, { messages: value }, limits);
  return chatMessages(parsed.data.messages);
}

/** The request body (already JSON-parsed) as typed options; throws a 400 ChatServerError. */
export function parseCompletionRequest(
  body: unknown,
  limits: ServerLimits,
  defaults: RequestDefaults = {},
): CompletionRequest {
  const parsed = schemaFor(limits).safeParse(body);
  if (!parsed.success) throw requestError(parsed.error.issues, body, limits);
  const request = parsed.data;
  const streamOptions = request.stream_options as { include_usage?: unknown } | null | undefined;
  // top_p 0 keeps only the most likely token: the same as greedy decoding.
  const topP = request.top_p ?? defaults.topP ?? 1;
  const temperature = topP === 0 ? 0 : (request.temperature ?? defaults.temperature ?? 1);
  const stop = request.stop ?? [];
  return {
    model: request.model,
    messages: chatMessages(request.messages),
    maxTokens: request.max_completion_tokens ?? request.max_tokens ?? undefined,
    temperature,
    topP: topP === 0 ? 1 : topP,
    topK: defaults.topK,
    stop: typeof stop === 'string' ? [stop] : stop,
    seed: request.seed ?? defaults.seed,
    stream: request.stream === true,
    includeUsage: typeof streamOptions === 'object' && streamOptions?.include_usage === true,
  };
}
