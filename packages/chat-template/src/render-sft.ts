// Renders a set of conversations for SFT in a context of `maxTokens`: render's keep 'first-turns'
// on each, counting what had to be truncated or skipped (for the caller's log), so the training
// CLI and the speedrun count the same way.

import { ContextOverflowError } from './errors.ts';
import type { Conversation } from './markers.ts';
import { type Rendered, render } from './render.ts';
import type { TokenizerLike } from './tokenizer.ts';

export interface SftRendering {
  /** One per conversation that could be fitted, in order. */
  examples: Rendered[];
  /** Conversations longer than `maxTokens`, kept as their first turns (`droppedFrom: 'end'`). */
  truncated: number;
  /** Of `truncated`: those whose first reply alone did not fit, cut mid-reply (`cutReply`). */
  cutReplies: number;
  /** Conversations with no room for one reply token (or no reply) within `maxTokens`: left out (render threw ContextOverflowError). */
  skipped: number;
}

/**
 * Renders conversations for SFT: one longer than `maxTokens` is truncated at a turn boundary
 * (render's keep 'first-turns'), not skipped; only one whose messages before the first reply
 * already fill `maxTokens` is skipped and counted.
 */
export function renderForSft(
  conversations: Iterable<Conversation>,
  tokenizer: TokenizerLike,
  options: { maxTokens: number },
): SftRendering {
  const out: SftRendering = { examples: [], truncated: 0, cutReplies: 0, skipped: 0 };
  for (const conversation of conversations) {
    let rendered: Rendered;
    try {
      rendered = render(conversation, tokenizer, {
        maxTokens: options.maxTokens,
        keep: 'first-turns',
      });
    } catch (error) {
      // Only a conversation too long for the context is skipped; bad input still throws.
      if (!(error instanceof ContextOverflowError)) throw error;
      out.skipped++;
      continue;
    }
    if (rendered.droppedFrom !== 'none') out.truncated++;
    if (rendered.cutReply) out.cutReplies++;
    out.examples.push(rendered);
  }
  return out;
}
