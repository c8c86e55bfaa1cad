// The one error class of @lmkit/gpt-model: every message names the value, the limit and the fix.
// Callers can catch `GPTModelError` to tell our checks apart from TensorFlow.js failures.

export class GPTModelError extends Error {
  override readonly name = 'GPTModelError';
}
