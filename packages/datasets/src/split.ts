// Deterministic train/validation split by hash: an item goes to validation when a 53-bit hash
// of its key (plus an optional salt) falls below the fraction. Stable across runs and
// machines, and an item keeps its side when the dataset grows.

import type { Conversation } from './conversation.ts';
import { DatasetsError } from './errors.ts';

export type Split = 'train' | 'validation';

/** Which side `key` falls on for a validation fraction in [0, 1]. */
export function splitOf(
  key: string,
  options: { validationFraction: number; salt?: string },
): Split {
  const fraction = options.validationFraction;
  if (!(fraction >= 0 && fraction <= 1)) {
    throw new DatasetsError(`validationFraction ${fraction} must be between 0 and 1 (e.g. 0.01)`);
  }
  return hashUnit(`${options.salt ?? ''}\u0000${key}`) < fraction ? 'validation' : 'train';
}

/** A key for a conversation: its id when it has one, else its messages. */
export function conversationKey(conversation: Conversation): string {
  return conversation.id ?? JSON.stringify(conversation.messages);
}

/**
 * Two 32-bit FNV-1a lanes (different offset bases) over the UTF-16 code units, each finished with
 * murmur3's fmix32, combined into 53 bits and mapped to [0, 1).
 */
export function hashUnit(text: string): number {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    a = Math.imul(a ^ unit, 0x01000193);
    b = Math.imul(b ^ unit, 0x01000193) ^ (b >>> 15);
  }
  const high = fmix32(a) >>> 11; // 21 bits
  const low = fmix32(b ^ Math.imul(a, 0x9e3779b1)); // 32 bits
  return (high * 4294967296 + low) / 2 ** 53;
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
