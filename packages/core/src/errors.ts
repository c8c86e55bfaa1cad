// The error base every lmkit package's errors extend. `LmkitError.isInstance(e)` checks a marker
// property instead of the prototype chain, so it holds across duplicated installs of a package
// (two copies of @lmkit/core in one node_modules) and across realms, as vercel/ai's AISDKError does.

const MARKER = Symbol.for('lmkit.error');

export interface LmkitErrorOptions {
  cause?: unknown;
}

export class LmkitError extends Error {
  /** The marker `isInstance` checks (a global symbol, so copies of this package agree). */
  readonly [MARKER] = true;

  constructor(message: string, options: LmkitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }

  /** True for any lmkit error, whichever copy of this package made it. */
  static isInstance(error: unknown): error is LmkitError {
    return (
      typeof error === 'object' &&
      error !== null &&
      (error as Record<symbol, unknown>)[MARKER] === true
    );
  }
}
