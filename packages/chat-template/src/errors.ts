// The one error base class of @lmkit/chat-template: bad conversations, tokenizers missing a
// marker, sequences that do not parse. Messages name the value, the limit and the fix.

import { LmkitError } from '@lmkit/core';

export class ChatTemplateError extends LmkitError {
  override name = 'ChatTemplateError';
}

/**
 * A conversation that cannot be fitted in `maxTokens` (render's `keep` rules): `needed` tokens
 * against the limit. Callers that skip such conversations catch this one, not bad input.
 */
export class ContextOverflowError extends ChatTemplateError {
  override name = 'ContextOverflowError';

  constructor(
    message: string,
    readonly needed: number,
    readonly maxTokens: number,
  ) {
    super(message);
  }
}
