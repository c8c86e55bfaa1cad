// The token APIs behind the web pages: list the encodings, tokenize text with one of them, and
// render a conversation with the checkpoint's chat markers (reply tokens flagged).
import type { ServerResponse } from 'node:http';
import type { ChatEngine, TokenizerLike } from './engine.ts';
import { badRequest, ChatServerError } from './errors.ts';
import { sendJson } from './http-io.ts';
import type { ServerLimits } from './limits.ts';
import { renderConversation } from './render.ts';
import { parseMessages } from './request.ts';
import { tokenPieces } from './token-view.ts';

export interface EncodingSource {
  description: string;
  /** Loaded on first use and kept (rank files take a moment to read). */
  load: () => Promise<TokenizerLike>;
}

/** Encoding name → source; the checkpoint's own tokenizer is always offered as "checkpoint". */
export type EncodingSet = ReadonlyMap<string, EncodingSource>;

export const checkpointEncoding = 'checkpoint';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function handleEncodings(
  engine: ChatEngine,
  encodings: EncodingSet,
  response: ServerResponse,
) {
  sendJson(response, 200, {
    encodings: [
      {
        name: checkpointEncoding,
        description: `${engine.modelId} (${engine.tokenizer.vocabSize} tokens)`,
      },
      ...[...encodings].map(([name, source]) => ({ name, description: source.description })),
    ],
  });
}

async function tokenizerFor(
  engine: ChatEngine,
  encodings: EncodingSet,
  name: unknown,
): Promise<TokenizerLike> {
  if (name === undefined || name === checkpointEncoding) return engine.tokenizer;
  const source = typeof name === 'string' ? encodings.get(name) : undefined;
  if (!source) {
    const known = [checkpointEncoding, ...encodings.keys()].join(', ');
    throw badRequest(
      `encoding ${JSON.stringify(name)} is not offered; pick one of ${known}`,
      'encoding',
    );
  }
  try {
    return await source.load();
  } catch (error) {
    throw new ChatServerError({
      status: 500,
      type: 'server_error',
      message: `encoding ${name} could not be loaded (${(error as Error).message}); reinstall the app's dependencies (pnpm install) to restore the rank files`,
    });
  }
}

export async function handleTokenize(
  engine: ChatEngine,
  encodings: EncodingSet,
  body: unknown,
  response: ServerResponse,
) {
  if (!isObject(body) || typeof body.text !== 'string') {
    throw badRequest('send {"text": "...", "encoding": "checkpoint"}', 'text');
  }
  const name = body.encoding ?? checkpointEncoding;
  const tokenizer = await tokenizerFor(engine, encodings, name);
  // Special tokens are shown when spelled out: the playground shows what each id means.
  const ids = tokenizer.encode(body.text, { allowedSpecial: 'all' });
  sendJson(response, 200, {
    encoding: name,
    characters: [...body.text].length,
    count: ids.length,
    tokens: tokenPieces(ids, tokenizer),
  });
}

export async function handleRender(
  engine: ChatEngine,
  encodings: EncodingSet,
  limits: ServerLimits,
  body: unknown,
  response: ServerResponse,
) {
  if (!isObject(body)) throw badRequest('send {"messages": [{"role": "user", "content": "..."}]}');
  const messages = parseMessages(body.messages, limits);
  const name = body.encoding ?? checkpointEncoding;
  const tokenizer = await tokenizerFor(engine, encodings, name);
  const rendered =
    name === checkpointEncoding
      ? engine.render(messages, { addGenerationPrompt: false })
      : renderConversation(messages, tokenizer, { addGenerationPrompt: false });
  const tokens = tokenPieces(rendered.ids, tokenizer, rendered.replyMask);
  // What a completion request with these messages would use, with the assistant's generation prompt.
  const promptTokens =
    name === checkpointEncoding
      ? engine.render(messages, { addGenerationPrompt: true }).ids.length
      : undefined;
  sendJson(response, 200, {
    encoding: name,
    count: tokens.length,
    prompt_tokens: promptTokens,
    context_tokens: engine.contextTokens,
    tokens,
  });
}
