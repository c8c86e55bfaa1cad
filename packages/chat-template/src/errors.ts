// The one error base class of @lmkit/chat-template: bad conversations, tokenizers missing a
// marker, sequences that do not parse. Messages name the value, the limit and the fix.

import { LmkitError } from '@lmkit/core';

export class ChatTemplateError extends LmkitError {
  override name = 'ChatTemplateError';
}
