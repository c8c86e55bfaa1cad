// Renders a conversation to token ids with a loss mask (1 on what the assistant writes: its
// reasoning, content and closing <|im_end|>). Content is always encoded as ordinary text, so a user
// who types `<|im_end|><|im_start|>system` gets plain tokens, never a forged turn.

import { ChatTemplateError, ContextOverflowError } from './errors.ts';
import { type Conversation, type Message, ROLES } from './markers.ts';
import { type MarkerIds, markerIds, type TokenizerLike } from './tokenizer.ts';

/** Which part of a conversation longer than `maxTokens` survives (see `RenderOptions.keep`). */
export type KeepTurns = 'last-turns' | 'first-turns';

const KEEP_TURNS: readonly KeepTurns[] = ['last-turns', 'first-turns'];

export interface RenderOptions {
  /** Append `<|im_start|>assistant<|im_sep|>` for the model to complete; default false. */
  addGenerationPrompt?: boolean;
  /** Context length in tokens; what happens to a longer conversation is `keep`'s. Default: no limit. */
  maxTokens?: number;
  /**
   * What survives when the conversation is longer than `maxTokens`:
   * - `'last-turns'` (default): whole turns (a user message and the replies after it) are dropped
   *   from the front; a leading system message is always kept. Throws when the last turn alone
   *   does not fit. For prompts and chat history.
   * - `'first-turns'`: the longest prefix of whole messages that fits and ends with an assistant
   *   message (a leading system message included), the rest dropped from the end. For SFT: every
   *   kept reply is whole, its `<|im_end|>` included. When not even the first reply fits whole, it
   *   is cut mid-reply (`cutReply: true`: its kept tokens are trained, no `<|im_end|>`). Throws
   *   only when the messages before the first reply and its header leave no room for one reply
   *   token, or when there is no assistant message. Not with `addGenerationPrompt`.
   */
  keep?: KeepTurns;
}

export interface Rendered {
  ids: number[];
  /** Same length as `ids`: 1 where the model is trained to predict the token, else 0. */
  lossMask: number[];
  /** Whole messages dropped to fit `maxTokens` (0 when nothing was cut). */
  droppedMessages: number;
  /**
   * Which side was cut to fit `maxTokens`: `'front'` (keep 'last-turns'), `'end'` (keep
   * 'first-turns': dropped messages and/or a cut reply), `'none'` when everything fits.
   */
  droppedFrom: 'none' | 'front' | 'end';
  /** keep 'first-turns': the last kept reply was cut mid-reply (no `<|im_end|>` in `ids`). */
  cutReply: boolean;
}

interface Segment {
  ids: number[];
  mask: number[];
  /** Tokens of the `<|im_start|>role<|im_sep|>` header at the start of `ids`. */
  head: number;
}

/** The messages kept, in order; the last one cut to its first `lastTokens` tokens when set. */
interface Kept {
  indices: number[];
  droppedFrom: Rendered['droppedFrom'];
  lastTokens?: number;
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
  const keep = options.keep ?? 'last-turns';
  if (!KEEP_TURNS.includes(keep)) {
    throw new ChatTemplateError(
      `keep is ${JSON.stringify(keep)}; expected one of ${KEEP_TURNS.map((k) => `'${k}'`).join(', ')}`,
    );
  }
  if (keep === 'first-turns' && options.addGenerationPrompt) {
    throw new ChatTemplateError(
      `keep 'first-turns' ends the kept messages with an assistant reply, so a generation prompt after it makes no sense; use keep 'last-turns' (the default) to render prompts`,
    );
  }
  const tail: Segment = options.addGenerationPrompt
    ? header('assistant', tokenizer, ids)
    : { ids: [], mask: [], head: 0 };
  const kept =
    keep === 'first-turns'
      ? fitFirstTurns(messages, segments, options.maxTokens)
      : fitTurns(messages, segments, tail.ids.length, options.maxTokens);
  const out: Rendered = {
    ids: [],
    lossMask: [],
    droppedMessages: messages.length - kept.indices.length,
    droppedFrom: kept.droppedFrom,
    cutReply: kept.lastTokens !== undefined,
  };
  kept.indices.forEach((index, k) => {
    const last = k === kept.indices.length - 1;
    append(out, segments[index], last ? kept.lastTokens : undefined);
  });
  append(out, tail);
  return out;
}

function append(out: Rendered, segment: Segment, tokens = segment.ids.length) {
  for (let i = 0; i < tokens; i++) {
    out.ids.push(segment.ids[i]);
    out.lossMask.push(segment.mask[i]);
  }
}

function header(role: string, tokenizer: TokenizerLike, ids: MarkerIds): Segment {
  const tokens = [ids.imStart, ...tokenizer.encodeOrdinary(role), ids.imSep];
  return { ids: tokens, mask: tokens.map(() => 0), head: tokens.length };
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

/** The total length, or undefined when there is no limit or everything fits. */
function overLimit(segments: Segment[], tailLength: number, maxTokens: number | undefined) {
  if (maxTokens === undefined) return undefined;
  if (!Number.isInteger(maxTokens) || maxTokens < 1) {
    throw new ChatTemplateError(`maxTokens ${maxTokens} must be a positive integer`);
  }
  const total = segments.reduce((sum, s) => sum + s.ids.length, tailLength);
  return total <= maxTokens ? undefined : total;
}

/** keep 'last-turns': a leading system message, then the latest turns that fit. */
function fitTurns(
  messages: Message[],
  segments: Segment[],
  tailLength: number,
  maxTokens: number | undefined,
): Kept {
  const all = messages.map((_, i) => i);
  const total = overLimit(segments, tailLength, maxTokens);
  if (maxTokens === undefined || total === undefined) return { indices: all, droppedFrom: 'none' };
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
      return { indices: [...all.slice(0, system), ...all.slice(end)], droppedFrom: 'front' };
    }
  }
  throw new ContextOverflowError(
    `the last turn alone needs ${used} tokens (with the system message and generation prompt), over maxTokens ${maxTokens}; raise maxTokens or skip this conversation`,
    used,
    maxTokens,
  );
}

/**
 * keep 'first-turns': the longest prefix of whole messages that fits and ends with an assistant
 * message; failing that, the messages before the first reply and as much of that reply as fits.
 */
function fitFirstTurns(
  messages: Message[],
  segments: Segment[],
  maxTokens: number | undefined,
): Kept {
  const all = messages.map((_, i) => i);
  const total = overLimit(segments, 0, maxTokens);
  if (maxTokens === undefined || total === undefined) return { indices: all, droppedFrom: 'none' };
  let used = 0;
  let lastReply = -1;
  for (let i = 0; i < messages.length; i++) {
    used += segments[i].ids.length;
    if (used > maxTokens) break;
    if (messages[i].role === 'assistant') lastReply = i;
  }
  if (lastReply >= 0) return { indices: all.slice(0, lastReply + 1), droppedFrom: 'end' };
  const firstReply = messages.findIndex((m) => m.role === 'assistant');
  if (firstReply === -1) {
    throw new ContextOverflowError(
      `keep 'first-turns' keeps a prefix ending with an assistant reply, but none of the ${messages.length} messages (${total} tokens, over maxTokens ${maxTokens}) is from the assistant; add the reply, or use keep 'last-turns' for a prompt`,
      total,
      maxTokens,
    );
  }
  let before = 0;
  for (let i = 0; i < firstReply; i++) before += segments[i].ids.length;
  const prompt = before + segments[firstReply].head;
  if (prompt + 1 > maxTokens) {
    throw new ContextOverflowError(
      `keep 'first-turns': the ${firstReply} message(s) before the first reply and its header need ${prompt} tokens, leaving no room for one reply token within maxTokens ${maxTokens}; raise maxTokens (up to the model's context) or skip this conversation`,
      prompt + 1,
      maxTokens,
    );
  }
  return {
    indices: all.slice(0, firstReply + 1),
    droppedFrom: 'end',
    // Fewer than the reply's tokens, or the whole first exchange would have fitted above.
    lastTokens: maxTokens - before,
  };
}
