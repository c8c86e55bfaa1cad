// Converters from the conversation layouts users bring to our `{ messages }` form: DeepSeek-R1
// distill rows (`input`, `reasoning_content`, `content`, as in Congliu/Chinese-DeepSeek-R1-Distill-
// data-110k), ShareGPT (`conversations` of `{ from, value }`) and the Hugging Face / OpenAI
// `messages` form. Each row converts or gives a problem with a reason; readers count the reasons.
// oasst1's flat message export is in converters-oasst.ts.

import type { Conversation, Message } from '@lmkit/core';
import { toConversation } from './chat-jsonl.ts';
import { type ConversationProblem, checkConversation, describe } from './conversation.ts';
import { convertEachRow, type ReadRowsOptions } from './converters-rows.ts';

export type ConversionResult = { conversation: Conversation } | { problem: ConversationProblem };

/** The layouts `convertRows` reads. */
export type ConversationLayout = 'distill' | 'sharegpt' | 'messages';

/**
 * A DeepSeek-R1 distill row: the prompt in `input`, the teacher's chain of thought in
 * `reasoning_content` (kept as the reply's `reasoning`), the answer in `content`. Leading and
 * trailing whitespace of each is trimmed (R1 answers start with blank lines).
 */
export function fromDistillRow(row: unknown): ConversionResult {
  const value = row as Record<string, unknown> | null;
  for (const field of ['input', 'content'] as const) {
    if (typeof value?.[field] !== 'string') {
      return problem(
        field,
        `is ${describe(value?.[field])}, expected a string`,
        `missing ${field}`,
      );
    }
  }
  const reasoning = value!.reasoning_content;
  if (reasoning !== undefined && reasoning !== null && typeof reasoning !== 'string') {
    return problem(
      'reasoning_content',
      `is ${describe(reasoning)}, expected a string`,
      'bad reasoning',
    );
  }
  const reply: Message = { role: 'assistant', content: (value!.content as string).trim() };
  if (typeof reasoning === 'string' && reasoning.trim() !== '') reply.reasoning = reasoning.trim();
  return checked(
    { messages: [{ role: 'user', content: (value!.input as string).trim() }, reply] },
    value!.id,
  );
}

/** ShareGPT speaker names (FastChat's and common dumps') and the role each maps to. */
export const SHAREGPT_ROLES: Readonly<Record<string, Message['role']>> = {
  system: 'system',
  human: 'user',
  user: 'user',
  gpt: 'assistant',
  chatgpt: 'assistant',
  assistant: 'assistant',
  bing: 'assistant',
  bard: 'assistant',
  model: 'assistant',
};

/**
 * A ShareGPT row (`conversations: [{ from, value }]`). As FastChat does, a leading turn that is not
 * the user's (after an optional system message) is dropped, since scraped chats often open with it.
 */
export function fromShareGptRow(row: unknown): ConversionResult {
  const turns = (row as { conversations?: unknown } | null)?.conversations;
  if (!Array.isArray(turns)) {
    return problem(
      'conversations',
      `is ${describe(turns)}, expected an array of { from, value }`,
      'missing conversations',
    );
  }
  const messages: Message[] = [];
  for (const [i, turn] of turns.entries()) {
    const from = (turn as { from?: unknown } | null)?.from;
    const role = typeof from === 'string' ? SHAREGPT_ROLES[from.toLowerCase()] : undefined;
    if (role === undefined) {
      return problem(
        `conversations[${i}].from`,
        `is ${describe(from)}; expected one of ${Object.keys(SHAREGPT_ROLES).join(', ')}`,
        'unknown speaker',
      );
    }
    messages.push({ role, content: (turn as { value?: unknown }).value as string });
  }
  const first = messages[0]?.role === 'system' ? 1 : 0;
  if (messages[first]?.role === 'assistant') messages.splice(first, 1);
  return checked({ messages }, (row as { id?: unknown }).id);
}

/** A `{ messages: [{ role, content }] }` row (text parts joined, `reasoning_content` kept). */
export function fromMessagesRow(
  row: unknown,
  options: { splitThink?: boolean } = {},
): ConversionResult {
  return checked(
    toConversation(row, options.splitThink ?? false) as Conversation,
    (row as { id?: unknown } | null)?.id,
  );
}

export interface ConvertRowsOptions extends ReadRowsOptions {
  from: ConversationLayout;
  /** For 'messages': move a leading `<think>…</think>` of assistant content into `reasoning`. */
  splitThink?: boolean;
}

/** Streams conversations converted from a JSONL or Parquet file; bad rows thrown or counted. */
export async function* convertRows(options: ConvertRowsOptions): AsyncIterable<Conversation> {
  const convert =
    options.from === 'distill'
      ? fromDistillRow
      : options.from === 'sharegpt'
        ? fromShareGptRow
        : (row: unknown) => fromMessagesRow(row, options);
  yield* convertEachRow(options, (value) => {
    const result = convert(value);
    return 'problem' in result ? result : { ok: result.conversation };
  });
}

function checked(conversation: Conversation, id: unknown): ConversionResult {
  const found = checkConversation(conversation);
  if (found) return { problem: found };
  const out: Conversation = { messages: conversation.messages };
  if (typeof id === 'string' || typeof id === 'number') out.id = String(id);
  return { conversation: out };
}

function problem(field: string, text: string, reason: string): ConversionResult {
  return { problem: { field, problem: text, reason } };
}
