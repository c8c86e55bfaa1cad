// The one error class of @lmkit/gpt-model: every message names the value, the limit and the fix.
// Callers can catch `GPTModelError` to tell our checks apart from TensorFlow.js failures; it
// extends @lmkit/core's LmkitError, so `LmkitError.isInstance` recognises it too.
import { LmkitError } from '@lmkit/core';

export class GPTModelError extends LmkitError {}
