// The one error class of @lmkit/bpe. Messages name the offending value, the limit and the fix
// (a line of a rank file, an id out of range, a special token that is not allowed).

export class BpeError extends Error {
  override readonly name = 'BpeError';
}
