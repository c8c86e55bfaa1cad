// Token lists for the web pages: each id with the text it decodes to on its own, whether it is a
// special token, and (for a rendered conversation) whether it belongs to an assistant reply.
import type { TokenizerLike } from './engine.ts';

export interface TokenPiece {
  id: number;
  text: string;
  special: boolean;
  reply?: boolean;
}

export function tokenPieces(
  ids: readonly number[],
  tokenizer: TokenizerLike,
  replyMask?: number[],
) {
  return ids.map((id, index): TokenPiece => {
    const text = tokenizer.decode([id]);
    const piece: TokenPiece = { id, text, special: tokenizer.specialTokenId(text) === id };
    if (replyMask) piece.reply = replyMask[index] === 1;
    return piece;
  });
}
