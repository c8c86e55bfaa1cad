// The one error class of @lmkit/evals: bad items, layouts and sizes, each naming the value, the
// limit and the fix.
import { LmkitError } from '@lmkit/core';

export class EvalsError extends LmkitError {}
