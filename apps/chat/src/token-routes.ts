// The token APIs behind the web pages: list the encodings, tokenize text with one of them, and
// render a conversation with the checkpoint's chat markers (reply tokens flagged).
import type { ServerResponse } from 'node:http';
import type { ChatEngine, TokenizerLike } from './engine.ts';
import { badRequest } from './errors.ts';
import { sendJson } from './http-io.ts';
import type { ServerLimits } from './limits.ts';
import { parseMessages } from './request.ts';
import { renderedPieces, tokenPieces } from './token-view.ts';

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
  let tokenizer: TokenizerLike;
  if (name === checkpointEncoding) tokenizer = engine.tokenizer;
  else {
    const source = typeof name === 'string' ? encodings.get(name) : undefined;
    if (!source) {
      const known = [checkpointEncoding, ...encodings.keys()].join(', ');
      throw badRequest(
        `encoding ${JSON.stringify(name)} is not offered; pick one of ${known}`,
        'encoding',
      );
    }
    tokenizer = await source.load();
  }
  // Special tokens are shown when spelled out: the playground shows what each id means.
  const ids = tokenizer.encode(body.text, { allowedSpecial: 'all' });
  sendJson(response, 200, {
    encoding: name,
    characters: [...body.text].length,
    count: ids.length,
    tokens: tokenPieces(ids, tokenizer),
  });
}

export function handleRender(
  engine: ChatEngine,
  limits: ServerLimits,
  body: unknown,
  response: ServerResponse,
) {
  if (!isObject(body)) throw badRequest('send {"messages": [{"role": "user", "content": "..."}]}');
  const messages = parseMessages(body.messages, limits);
  const tokens = renderedPieces(engine, messages);
  sendJson(response, 200, {
    encoding: checkpointEncoding,
    count: tokens.length,
    context_tokens: engine.contextTokens,
    tokens,
  });
}
