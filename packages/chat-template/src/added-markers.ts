// Adding the chat markers to a tokenizer that was pre-trained without them: each missing marker
// gets a new id past the base vocabulary. This is the tokenizer side only; the model must grow its
// embedding to the new vocabulary size, keeping the existing rows (see the README).

import { ChatTemplateError } from './errors.ts';
import { CHAT_MARKERS } from './markers.ts';
import type { TokenizerLike } from './tokenizer.ts';

export interface MarkerPlan {
  /** Markers the tokenizer lacked, with the ids to give them (base vocabulary size onwards). */
  added: Record<string, number>;
  /** Every marker's id, existing or new. */
  ids: Record<string, number>;
  /** Vocabulary size after adding: the new embedding row count. */
  vocabSize: number;
}

/**
 * Plans ids for the markers a tokenizer is missing. Existing markers keep their ids; new ones are
 * numbered from `tokenizer.vocabSize` in the order given.
 *
 * @example
 * planChatMarkers({ tokenizer }) // base vocab 50257 with <|endoftext|> only →
 * // { added: { '<|im_start|>': 50257, '<|im_sep|>': 50258, ... }, vocabSize: 50262, ... }
 */
export function planChatMarkers(options: {
  tokenizer: Pick<TokenizerLike, 'vocabSize' | 'specialTokenId'>;
  markers?: readonly string[];
}): MarkerPlan {
  const markers = options.markers ?? CHAT_MARKERS;
  const base = options.tokenizer.vocabSize;
  if (!Number.isInteger(base) || base < 0) {
    throw new ChatTemplateError(`tokenizer.vocabSize ${base} is not a non-negative integer`);
  }
  if (new Set(markers).size !== markers.length) {
    throw new ChatTemplateError(`markers ${JSON.stringify(markers)} repeat a name; list each once`);
  }
  const added: Record<string, number> = {};
  const ids: Record<string, number> = {};
  let next = base;
  for (const name of markers) {
    const existing = options.tokenizer.specialTokenId(name);
    if (existing !== undefined) {
      ids[name] = existing;
    } else {
      added[name] = next;
      ids[name] = next;
      next++;
    }
  }
  return { added, ids, vocabSize: next };
}
