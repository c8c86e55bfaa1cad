// Renders a preference pair (a prompt and two replies, the conversational form TRL and the Hugging
// Face preference datasets use) for DPO and reward models in a context of `maxTokens`. The chosen
// and the rejected side always share the very same prompt tokens; only the reply tokens are
// trained. A pair too long for the context is truncated as TRL does rather than lost: the prompt
// keeps its last whole turns (a leading system message stays) within a prompt budget, then each
// reply is cut at the end to fill the context (a cut reply has no <|im_end|>).

import { ChatTemplateError, ContextOverflowError } from './errors.ts';
import type { Message } from './markers.ts';
import { type Rendered, render } from './render.ts';
import type { TokenizerLike } from './tokenizer.ts';

/** A prompt (ending with the user's turn) and two replies to it, the better one first. */
export interface PreferencePairMessages {
  prompt: Message[];
  chosen: Message[];
  rejected: Message[];
}

export interface RenderPairOptions {
  /** Context length in tokens: each side (prompt + reply) fits in it. */
  maxTokens: number;
  /**
   * The prompt's share when the pair does not fit whole: the prompt keeps its last whole turns up
   * to `max(maxPromptTokens, maxTokens − the longer reply)` tokens. Default half of `maxTokens`
   * (TRL's 512 of 1,024).
   */
  maxPromptTokens?: number;
}

export interface RenderedPair {
  chosen: Rendered;
  rejected: Rendered;
  /** Tokens of the shared prompt (each reply starts after them with its assistant header). */
  promptTokens: number;
  /** Prompt messages dropped from the front to fit (0 when none). */
  droppedPromptMessages: number;
}

/**
 * Renders one pair: `chosen` and `rejected` are the prompt followed by each reply, with the loss
 * mask on the reply tokens only (earlier assistant turns of the prompt are context, mask 0).
 * Throws ContextOverflowError when the prompt's last turn alone exceeds its budget, or leaves no
 * room for a reply token; other bad input throws ChatTemplateError.
 *
 * @example
 * renderPair({ prompt: [{ role: 'user', content: 'Hi' }], chosen: [{ role: 'assistant', content: 'Hello!' }],
 *   rejected: [{ role: 'assistant', content: 'Go away.' }] }, tokenizer, { maxTokens: 256 })
 */
export function renderPair(
  pair: PreferencePairMessages,
  tokenizer: TokenizerLike,
  options: RenderPairOptions,
): RenderedPair {
  const { maxTokens } = options;
  if (!Number.isInteger(maxTokens) || maxTokens < 2) {
    throw new ChatTemplateError(`maxTokens ${maxTokens} must be a whole number ≥ 2`);
  }
  const promptShare = options.maxPromptTokens ?? Math.floor(maxTokens / 2);
  if (!Number.isInteger(promptShare) || promptShare < 1 || promptShare >= maxTokens) {
    throw new ChatTemplateError(
      `maxPromptTokens ${promptShare} must be a whole number in [1, maxTokens ${maxTokens}); leave it unset for half the context`,
    );
  }
  // Each message renders on its own (its header, content and <|im_end|>), so the prompt is
  // encoded once and each reply once, and prompt + reply is their concatenation.
  const promptOnly = render({ messages: pair.prompt }, tokenizer);
  const replies = [pair.chosen, pair.rejected].map((messages) => render({ messages }, tokenizer));
  const longest = Math.max(...replies.map((r) => r.ids.length));
  const fits = promptOnly.ids.length + longest <= maxTokens;
  const prompt = fits
    ? promptOnly
    : render({ messages: pair.prompt }, tokenizer, {
        maxTokens: Math.min(promptOnly.ids.length, Math.max(promptShare, maxTokens - longest)),
      });
  const room = maxTokens - prompt.ids.length;
  // A reply's header (<|im_start|>assistant<|im_sep|>) is untrained: room must reach past it.
  const head = replies[0].lossMask.indexOf(1);
  if (room <= Math.max(0, head)) {
    throw new ContextOverflowError(
      `the prompt keeps ${prompt.ids.length} of ${maxTokens} tokens, no room for a reply; lower maxPromptTokens or raise maxTokens`,
      prompt.ids.length + longest,
      maxTokens,
    );
  }
  const side = (r: Rendered): Rendered => {
    const cut = r.ids.length > room;
    const kept = cut ? room : r.ids.length;
    return {
      ids: [...prompt.ids, ...r.ids.slice(0, kept)],
      lossMask: [...prompt.ids.map(() => 0), ...r.lossMask.slice(0, kept)],
      droppedMessages: prompt.droppedMessages,
      droppedFrom: prompt.droppedMessages > 0 ? 'front' : cut ? 'end' : 'none',
      cutReply: cut,
    };
  };
  return {
    chosen: side(replies[0]),
    rejected: side(replies[1]),
    promptTokens: prompt.ids.length,
    droppedPromptMessages: prompt.droppedMessages,
  };
}

export interface PairsRendering {
  /** One per pair that could be fitted, in order. */
  pairs: RenderedPair[];
  /** Pairs longer than `maxTokens`, kept with a shortened prompt and/or cut replies. */
  truncated: number;
  /** Pairs that could not be fitted (renderPair threw ContextOverflowError): left out. */
  skipped: number;
}

/** Renders a set of pairs with `renderPair`, counting what was truncated or skipped. */
export function renderPairs(
  pairs: Iterable<PreferencePairMessages>,
  tokenizer: TokenizerLike,
  options: RenderPairOptions,
): PairsRendering {
  const out: PairsRendering = { pairs: [], truncated: 0, skipped: 0 };
  for (const pair of pairs) {
    let rendered: RenderedPair;
    try {
      rendered = renderPair(pair, tokenizer, options);
    } catch (error) {
      if (!(error instanceof ContextOverflowError)) throw error;
      out.skipped++;
      continue;
    }
    if (rendered.chosen.droppedFrom !== 'none' || rendered.rejected.droppedFrom !== 'none')
      out.truncated++;
    out.pairs.push(rendered);
  }
  return out;
}
