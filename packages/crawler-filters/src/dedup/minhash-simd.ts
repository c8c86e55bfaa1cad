// The MinHash inner loop as a tiny WebAssembly SIMD kernel, assembled here from its opcodes: for
// each 32-bit shingle key, XOR the 4 tabulation rows its bytes select and keep the lane-wise unsigned
// minimum, 4 hashes per instruction. Bit-identical to the JavaScript loop in minhash.ts.

/** Shingle keys handed to the kernel per call. */
const KEYS_PER_CALL = 16384;

function leb128(value: number): number[] {
  const bytes: number[] = [];
  let rest = value >>> 0;
  do {
    let byte = rest & 0x7f;
    rest >>>= 7;
    if (rest !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest !== 0);
  return bytes;
}

const section = (id: number, body: number[]) => [id, ...leb128(body.length), ...body];
const name = (text: string) => [text.length, ...[...text].map((c) => c.charCodeAt(0))];

// Opcodes used below.
const GET = 0x20;
const SET = 0x21;
const TEE = 0x22;
const I32_CONST = 0x41;
const I32_LOAD = [0x28, 0x02, 0x00];
const I32_GE_U = 0x4f;
const I32_LT_U = 0x49;
const I32_ADD = 0x6a;
const I32_MUL = 0x6c;
const I32_AND = 0x71;
const I32_SHL = 0x74;
const I32_SHR_U = 0x76;
const BLOCK = [0x02, 0x40];
const LOOP = [0x03, 0x40];
const BR = 0x0c;
const BR_IF = 0x0d;
const END = 0x0b;
const V128_LOAD = [0xfd, 0x00, 0x04, 0x00];
const V128_STORE = [0xfd, 0x0b, 0x04, 0x00];
const V128_XOR = [0xfd, 0x51];
const I32X4_MIN_U = [0xfd, 0xb7, 0x01];

// Locals: params table, sig, keys, n, k4; then i, key, r0, r1, r2, r3, j, stride.
const [TABLE, SIG, KEYS, N, K4, I, KEY, R0, R1, R2, R3, J, STRIDE] = Array.from(
  { length: 13 },
  (_, i) => i,
);

/** row = table + (base + ((key >>> shift) & 255)) * stride, into local `target`. */
function rowAddress(target: number, base: number, shift: number, mask: boolean): number[] {
  return [
    GET,
    KEY,
    I32_CONST,
    ...signedLeb(shift),
    I32_SHR_U,
    ...(mask ? [I32_CONST, 0xff, 0x01, I32_AND] : []),
    I32_CONST,
    ...signedLeb(base),
    I32_ADD,
    GET,
    STRIDE,
    I32_MUL,
    GET,
    TABLE,
    I32_ADD,
    SET,
    target,
  ];
}

function signedLeb(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  for (;;) {
    const byte = rest & 0x7f;
    rest >>= 7;
    if ((rest === 0 && (byte & 0x40) === 0) || (rest === -1 && (byte & 0x40) !== 0)) {
      bytes.push(byte);
      return bytes;
    }
    bytes.push(byte | 0x80);
  }
}

const xorRow = (row: number) => [GET, row, GET, J, I32_ADD, ...V128_LOAD, ...V128_XOR];

// biome-ignore format: one instruction group per line
const BODY = [
  0x01, 0x08, 0x7f, // 8 locals of type i32
  GET, K4, I32_CONST, 4, I32_SHL, SET, STRIDE,
  I32_CONST, 0, SET, I,
  ...BLOCK, ...LOOP,
  GET, I, GET, N, I32_GE_U, BR_IF, 1,
  GET, KEYS, GET, I, I32_CONST, 2, I32_SHL, I32_ADD, ...I32_LOAD, SET, KEY,
  ...rowAddress(R0, 0, 0, true),
  ...rowAddress(R1, 256, 8, true),
  ...rowAddress(R2, 512, 16, true),
  ...rowAddress(R3, 768, 24, false),
  I32_CONST, 0, SET, J,
  ...LOOP,
  GET, SIG, GET, J, I32_ADD,
  GET, SIG, GET, J, I32_ADD, ...V128_LOAD,
  GET, R0, GET, J, I32_ADD, ...V128_LOAD,
  ...xorRow(R1), ...xorRow(R2), ...xorRow(R3),
  ...I32X4_MIN_U, ...V128_STORE,
  GET, J, I32_CONST, 16, I32_ADD, TEE, J, GET, STRIDE, I32_LT_U, BR_IF, 0,
  END,
  GET, I, I32_CONST, 1, I32_ADD, SET, I, BR, 0,
  END, END, END,
];

// biome-ignore format: module layout
const MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, [0x01, 0x60, 0x05, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x00]),
  ...section(2, [0x01, ...name('env'), ...name('memory'), 0x02, 0x00, 0x01]),
  ...section(3, [0x01, 0x00]),
  ...section(7, [0x01, ...name('update'), 0x00, 0x00]),
  ...section(10, [0x01, ...leb128(BODY.length), ...BODY]),
]);

/** The slice of the WebAssembly JS API used here (the ES2023 lib this repo compiles with has none). */
interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Memory: new (descriptor: { initial: number; maximum?: number }) => { buffer: ArrayBuffer };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

/** Folds shingle keys into a signature with the SIMD kernel. */
export interface SimdMinHashKernel {
  /** Minima of `keys[0..count)` under the table's hash functions (a new array of `hashCount`). */
  signature(keys: Uint32Array, count: number): Uint32Array;
}

/**
 * Builds the kernel over a tabulation table laid out as (4 × 256) rows of `hashCount` values, or
 * returns undefined where WebAssembly SIMD is unavailable or `hashCount` is not a multiple of 4.
 */
export function createSimdKernel(
  table: Uint32Array,
  hashCount: number,
): SimdMinHashKernel | undefined {
  const wasm = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (hashCount % 4 !== 0 || wasm === undefined || !wasm.validate(MODULE)) return undefined;
  const tableBytes = table.byteLength;
  const sigOffset = tableBytes;
  const keysOffset = sigOffset + hashCount * 4;
  const pages = Math.ceil((keysOffset + KEYS_PER_CALL * 4) / 65536);
  const memory = new wasm.Memory({ initial: pages, maximum: pages });
  const instance = new wasm.Instance(new wasm.Module(MODULE), { env: { memory } });
  const update = instance.exports.update as (
    t: number,
    s: number,
    k: number,
    n: number,
    k4: number,
  ) => void;
  new Uint32Array(memory.buffer, 0, table.length).set(table);
  const sig = new Uint32Array(memory.buffer, sigOffset, hashCount);
  const keyBuffer = new Uint32Array(memory.buffer, keysOffset, KEYS_PER_CALL);
  return {
    signature(keys, count) {
      sig.fill(0xffffffff);
      for (let start = 0; start < count; start += KEYS_PER_CALL) {
        const n = Math.min(KEYS_PER_CALL, count - start);
        keyBuffer.set(keys.subarray(start, start + n));
        update(0, sigOffset, keysOffset, n, hashCount / 4);
      }
      return sig.slice();
    },
  };
}
