// A byte-level tokenizer for tests: ids 0..255 are UTF-8 bytes, special tokens follow from 256.
// No merges, so every string round-trips and ids are easy to read; it implements TokenizerLike,
// including `encode` throwing on a special token spelled in text unless it is allowed.

import { CHAT_MARKERS } from '../markers.ts';
import type { TokenizerLike } from '../tokenizer.ts';

export interface ByteTokenizer extends TokenizerLike {
  readonly specialTokens: ReadonlyMap<string, number>;
}

/** `specialTokens` default: the chat markers and <|endoftext|>, at ids 256, 257, ... */
export function byteTokenizer(options: { specialTokens?: readonly string[] } = {}): ByteTokenizer {
  const names = options.specialTokens ?? CHAT_MARKERS;
  const specialTokens = new Map(names.map((name, i) => [name, 256 + i]));
  const byId = new Map([...specialTokens].map(([name, id]) => [id, name]));
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const encodeOrdinary = (text: string) => Array.from(encoder.encode(text));
  return {
    vocabSize: 256 + names.length,
    specialTokens,
    encodeOrdinary,
    encode(text, encodeOptions = {}) {
      const allowed = encodeOptions.allowedSpecial;
      const isAllowed = (name: string) =>
        allowed === 'all' ||
        (allowed instanceof Set
          ? allowed.has(name)
          : ((allowed as readonly string[] | undefined)?.includes(name) ?? false));
      const ids: number[] = [];
      let rest = text;
      while (rest.length > 0) {
        let first = -1;
        let name = '';
        for (const candidate of specialTokens.keys()) {
          const at = rest.indexOf(candidate);
          if (at !== -1 && (first === -1 || at < first)) {
            first = at;
            name = candidate;
          }
        }
        if (first === -1) break;
        if (!isAllowed(name)) {
          throw new Error(
            `text contains the special token ${name}; pass allowedSpecial to encode it`,
          );
        }
        for (const id of encodeOrdinary(rest.slice(0, first))) ids.push(id);
        ids.push(specialTokens.get(name)!);
        rest = rest.slice(first + name.length);
      }
      for (const id of encodeOrdinary(rest)) ids.push(id);
      return ids;
    },
    decode(ids) {
      let text = '';
      let bytes: number[] = [];
      for (const id of ids) {
        const name = byId.get(id);
        if (name === undefined) {
          bytes.push(id);
          continue;
        }
        text += decoder.decode(new Uint8Array(bytes)) + name;
        bytes = [];
      }
      return text + decoder.decode(new Uint8Array(bytes));
    },
    specialTokenId: (name) => specialTokens.get(name),
  };
}
