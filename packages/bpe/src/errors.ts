// The one error class of @lmkit/bpe (an LmkitError). Messages name the offending value, the limit and the fix
// (a line of a rank file, an id out of range, a special token that is not allowed).

import { LmkitError } from '@lmkit/core';

export class BpeError extends LmkitError {
  override readonly name = 'BpeError';
}
