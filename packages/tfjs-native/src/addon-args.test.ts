// The addon's one argument reader (native/args.c): every function takes exactly its arguments, of
// the declared kinds, and a wrong call is a TypeError naming the function and the argument.
import { describe, expect, it } from 'vitest';
import { skipReason } from './__fixtures__/helpers.ts';
import { loadAddon } from './addon.ts';

const addon = () => {
  const loaded = loadAddon();
  if (!('addon' in loaded)) throw new Error(loaded.reason);
  return loaded.addon as unknown as Record<string, (...args: unknown[]) => unknown>;
};
const f32 = (n: number) => new Float32Array(n);

/** The error `call` throws. */
function thrown(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

describe.skipIf(skipReason !== '')('native argument checks', () => {
  it('refuses a wrong argument count, naming the function and both counts', () => {
    const error = thrown(() => addon().unary(0, f32(2)));
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toMatchObject({
      code: 'ERR_LMKIT_NATIVE_ARG',
      message: 'unary: expected 3 arguments, got 2',
    });
    expect(() => addon().sumOfSquares(f32(1), f32(1))).toThrow(
      'sumOfSquares: expected 1 arguments, got 2',
    );
    expect(() => addon().adamw(f32(1))).toThrow('adamw: expected 14 arguments, got 1');
  });

  it('names the first argument of the wrong kind', () => {
    const { gatherRows, sgemmBatched, binary } = addon();
    expect(() => gatherRows(f32(6), f32(2), f32(6), 1, 3, 2)).toThrow(
      "gatherRows: argument 'indices' must be an Int32Array",
    );
    expect(() => gatherRows(f32(6), new Int32Array(2), f32(4), 1, '3', 2)).toThrow(
      "gatherRows: argument 'rows' must be a number",
    );
    const i32 = new Int32Array(1);
    expect(() => sgemmBatched(f32(1), f32(1), f32(1), 1, 1, 1, 0, false, i32, i32)).toThrow(
      "sgemmBatched: argument 'transposeA' must be a boolean",
    );
    // binary's out is a Uint8Array for equal (op 4) and a Float32Array otherwise.
    const shape = Int32Array.of(2);
    const strides = Int32Array.of(1);
    expect(() => binary(4, f32(2), f32(2), f32(2), shape, strides, strides)).toThrow(
      "binary: argument 'out' must be a Uint8Array",
    );
    expect(() => binary(0, f32(2), f32(2), new Uint8Array(2), shape, strides, strides)).toThrow(
      "binary: argument 'out' must be a Float32Array",
    );
  });

  it('reads well-formed arguments in place', () => {
    const { gatherRows, binary } = addon();
    const out = f32(4);
    gatherRows(Float32Array.of(1, 2, 3, 4, 5, 6), Int32Array.of(2, 0), out, 1, 3, 2);
    expect([...out]).toEqual([5, 6, 1, 2]);
    const equal = new Uint8Array(3);
    const strides = Int32Array.of(1);
    const [a, b] = [Float32Array.of(1, 2, 3), Float32Array.of(1, 0, 3)];
    binary(4, a, b, equal, Int32Array.of(3), strides, strides);
    expect([...equal]).toEqual([1, 0, 1]);
  });
});
