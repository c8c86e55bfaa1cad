// Token lists for the web pages: each id with the text it decodes to on its own, whether it is a
// special token, and (for a rendered conversation) whether it belongs to an assistant reply.
// A token that is part of a UTF-8 character shows its bytes in hex (`<E4><BD>`), as the CLI does.
import type { TokenizerLike } from './engine.ts';

export interface TokenPiece {
  id: number;
  text: string;
  special: boolean;
  /** The text is the token's bytes in hex: they are not whole UTF-8 characters. */
  bytes?: boolean;
  reply?: boolean;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes that are not whole UTF-8 characters as `<E4><BD>`, as bpe's formatTokens (the CLI) shows them. */
function hexBytes(bytes: Uint8Array) {
  try {
    strictUtf8.decode(bytes);
    return undefined;
  } catch {
    return Array.from(bytes, (b) => `<${b.toString(16).toUpperCase().padStart(2, '0')}>`).join('');
  }
}

export function tokenPieces(
  ids: readonly number[],
  tokenizer: TokenizerLike & { tokenToBytes?(id: number): Uint8Array },
  replyMask?: number[],
) {
  return ids.map((id, index): TokenPiece => {
    let text = tokenizer.decode([id]);
    const special = tokenizer.specialTokenId(text) === id;
    // A token holding part of a character decodes to U+FFFD: show its bytes instead.
    const hex =
      !special && text.includes('\uFFFD') && tokenizer.tokenToBytes
        ? hexBytes(tokenizer.tokenToBytes(id))
        : undefined;
    if (hex) text = hex;
    const piece: TokenPiece = { id, text, special };
    if (hex) piece.bytes = true;
    if (replyMask) piece.reply = replyMask[index] === 1;
    return piece;
  });
}
