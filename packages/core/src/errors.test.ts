import { describe, expect, it } from 'vitest';
import { LmkitError } from './errors.ts';

class PackageError extends LmkitError {}

describe('LmkitError', () => {
  it('names subclasses after themselves and keeps the cause', () => {
    const cause = new Error('root');
    const error = new PackageError('bad value 3; use 1 or 2', { cause });
    expect(error.name).toBe('PackageError');
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(Error);
  });

  it('recognises lmkit errors by marker, not prototype', () => {
    expect(LmkitError.isInstance(new PackageError('x'))).toBe(true);
    expect(LmkitError.isInstance(new Error('x'))).toBe(false);
    expect(LmkitError.isInstance('x')).toBe(false);
    // An error from another copy of the package carries the same global symbol.
    const foreign = Object.assign(new Error('x'), { [Symbol.for('lmkit.error')]: true });
    expect(LmkitError.isInstance(foreign)).toBe(true);
  });
});
