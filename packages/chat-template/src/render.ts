// Renders a conversation to token ids with a loss mask (1 on what the assistant writes: its
// reasoning, content and closing <|im_end|>). Content is always encoded as ordinary text, so a user
// who types `<|im_end|><|im_start|>system` gets plain tokens, never a forged turn.

import { ChatTemplateError } from './errors.ts';
import { type Conversation, type Message, ROLES } from './markers.ts';
import { type MarkerIds, markerIds, type TokenizerLike } from './tokenizer.ts';

export interface RenderOptions {
  /** Append `<|im_start|>assistant<|im_sep|>` for the model to complete; default false. */
  addGenerationPrompt?: boolean;
  /**
   * Context length in tokens. When the conversation is longer, whole turns (a user message and the
   * replies after it) are dropped from the front; a leading system message is always kept.
   * Default: no limit.
   */
  maxTokens?: number;
}

export interface Rendered {
  ids: number[];
  /** Same length as `ids`: 1 where the model is trained to predict the token, else 0. */
  lossMask: number[];
  /** Messages dropped from the front to fit `maxTokens` (0 when nothing was cut). */
  droppedMessages: number;
}

interface Segment {
  ids: number[];
  mask: number[];
}

/**
 * Renders a conversation through any tokenizer that has the chat markers as special tokens.
 *
 * @example
 * render({ messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }] }, tok)
 * // ids:  <|im_start|> user <|im_sep|> Hi <|im_end|> <|im_start|> assistant <|im_sep|> Hello <|im_end|>
 * // mask:      0        0       0      0      0           0           0          0       1       1
 */
export function render(
  conversation: Conversation,
  tokenizer: TokenizerLike,
  options: RenderOptions = {},
): Rendered {
  const ids = markerIds(tokenizer);
  const messages = conversation?.messages;
  if (!Array.isArray(messages)) {
    throw new ChatTemplateError(
      `conversation.messages is ${typeof messages}, expected an array of { role, content }`,
    );
  }
  const segments = messages.map((message, index) => renderMessage(message, index, tokenizer, ids));
  const tail: Segment = options.addGenerationPrompt
    ? header('assistant', tokenizer, ids)
    : { ids: [], mask: [] };
  const keep = fitTurns(messages, segments, tail.ids.length, options.maxTokens);
  const out: Rendered = { ids: [], lossMask: [], droppedMessages: messages.length - keep.length };
  for (const index of keep) append(out, segments[index]);
  append(out, tail);
  return out;
}

function append(out: Rendered, segment: Segment) {
  for (let i = 0; i < segment.ids.length; i++) {
    out.ids.push(segment.ids[i]);
    out.lossMask.push(segment.mask[i]);
  }
}

function header(role: string, tokenizer: TokenizerLike, ids: MarkerIds): Segment {
  const tokens = [ids.imStart, ...tokenizer.encodeOrdinary(role), ids.imSep];
  return { ids: tokens, mask: tokens.map(() => 0) };
}

function renderMessage(
  message: Message,
  index: number,
  tokenizer: TokenizerLike,
  ids: MarkerIds,
): Segment {
  const where = `messages[${index}]`;
  if (!ROLES.includes(message?.role)) {
    throw new ChatTemplateError(
      `${where}.role is ${JSON.stringify(message?.role)}; expected one of ${ROLES.join(', ')}`,
    );
  }
  if (typeof message.content !== 'string') {
    throw new ChatTemplateError(`${where}.content is ${typeof message.content}, expected a string`);
  }
  const segment = header(message.role, tokenizer, ids);
  const trained = message.role === 'assistant' ? 1 : 0;
  // Pushed one by one: spreading a long message's ids into push() would overflow the stack.
  const add = (tokens: readonly number[]) => {
    for (const id of tokens) {
      segment.ids.push(id);
      segment.mask.push(trained);
    }
  };
  if (message.reasoning !== undefined) {
    if (message.role !== 'assistant' || typeof message.reasoning !== 'string') {
      throw new ChatTemplateError(
        `${where}.reasoning is set on a ${message.role} message (${typeof message.reasoning}); reasoning is a string on assistant messages only`,
      );
    }
    if (ids.thinkStart === undefined || ids.thinkEnd === undefined) {
      throw new ChatTemplateError(
        `${where} has reasoning but the tokenizer has no <think> / </think> special tokens; add them (planChatMarkers) or drop the reasoning`,
      );
    }
    add([ids.thinkStart]);
    add(tokenizer.encodeOrdinary(message.reasoning));
    add([ids.thinkEnd]);
  }
  add(tokenizer.encodeOrdinary(message.content));
  add([ids.imEnd]);
  return segment;
}

/** Indices of the messages kept: a leading system message, then the latest turns that fit. */
function fitTurns(
  messages: Message[],
  segments: Segment[],
  tailLength: number,
  maxTokens: number | undefined,
): number[] {
  const all = messages.map((_, i) => i);
  if (maxTokens === undefined) return all;
  if (!Number.isInteger(maxTokens) || maxTokens < 1) {
    throw new ChatTemplateError(`maxTokens ${maxTokens} must be a positive integer`);
  }
  const total = segments.reduce((sum, s) => sum + s.ids.length, tailLength);
  if (total <= maxTokens) return all;
  const system = messages[0]?.role === 'system' ? 1 : 0;
  // Turn starts: each user message after the system prefix (and the first message after it).
  const starts: number[] = [];
  for (let i = system; i < messages.length; i++) {
    if (i === system || messages[i].role === 'user') starts.push(i);
  }
  let used = total;
  for (let t = 0; t < starts.length; t++) {
    const end = starts[t + 1] ?? messages.length;
    if (t === starts.length - 1) break;
    for (let i = starts[t]; i < end; i++) used -= segments[i].ids.length;
    if (used <= maxTokens) {
      return [...all.slice(0, system), ...all.slice(end)];
    }
  }
  throw new ChatTemplateError(
    `the last turn alone needs ${used} tokens (with the system message and generation prompt), over maxTokens ${maxTokens}; raise maxTokens or skip this conversation`,
  );
}
