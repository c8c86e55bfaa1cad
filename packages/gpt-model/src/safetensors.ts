// safetensors read and write: an 8-byte little-endian header length, a JSON header mapping names
// to { dtype, shape, data_offsets }, then the raw little-endian tensor bytes.
import { GPTModelError } from './errors.ts';

export type SafetensorsDtype = 'F32' | 'F16' | 'BF16' | 'I32' | 'I64' | 'U8';

export interface SafetensorsTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  /** F32 → Float32Array, I32 → Int32Array, I64 → BigInt64Array, F16/BF16 → raw Uint16Array, U8 → Uint8Array. */
  data: Float32Array | Int32Array | BigInt64Array | Uint16Array | Uint8Array;
}

export interface Safetensors {
  tensors: Record<string, SafetensorsTensor>;
  metadata: Record<string, string>;
}

const bytesPerElement: Record<SafetensorsDtype, number> = {
  F32: 4,
  F16: 2,
  BF16: 2,
  I32: 4,
  I64: 8,
  U8: 1,
};

export function encodeSafetensors(
  tensors: Record<string, SafetensorsTensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  const names = Object.keys(tensors).sort();
  for (const name of names) {
    const { dtype, shape, data } = tensors[name];
    const expected = shape.reduce((a, b) => a * b, 1) * bytesPerElement[dtype];
    if (data.byteLength !== expected)
      throw new GPTModelError(
        `tensor ${name} has ${data.byteLength} bytes but dtype ${dtype} and shape [${shape}] need ${expected}`,
      );
    header[name] = { dtype, shape, data_offsets: [offset, offset + expected] };
    offset += expected;
  }
  let json = JSON.stringify(header);
  // TextEncoder, not Buffer: this also runs in a browser tab (apps/studio).
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const name of names) {
    const { data } = tensors[name];
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    at += data.byteLength;
  }
  return out;
}

export function decodeSafetensors(bytes: Uint8Array): Safetensors {
  if (bytes.length < 8)
    throw new GPTModelError(`safetensors input has ${bytes.length} bytes; a file needs at least 8`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > bytes.length - 8)
    throw new GPTModelError(
      `safetensors header length ${headerLength} exceeds the ${bytes.length - 8} bytes after it; the file is truncated or not safetensors`,
    );
  const header = JSON.parse(
    new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)),
  ) as Record<string, { dtype: SafetensorsDtype; shape: number[]; data_offsets: [number, number] }>;
  const dataStart = 8 + headerLength;
  const tensors: Record<string, SafetensorsTensor> = {};
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = entry as unknown as Record<string, string>;
      continue;
    }
    const {
      dtype,
      shape,
      data_offsets: [begin, end],
    } = entry;
    const size = bytesPerElement[dtype];
    if (size === undefined)
      throw new GPTModelError(
        `tensor ${name} has dtype ${dtype}; supported: ${Object.keys(bytesPerElement).join(', ')}`,
      );
    const count = shape.reduce((a, b) => a * b, 1);
    if (end - begin !== count * size || dataStart + end > bytes.length)
      throw new GPTModelError(
        `tensor ${name} spans bytes [${begin}, ${end}) which do not match shape [${shape}] ${dtype} within the file`,
      );
    // Copy into a fresh, aligned buffer.
    const raw = new Uint8Array(bytes.subarray(dataStart + begin, dataStart + end)).buffer;
    tensors[name] = { dtype, shape, data: typed(dtype, raw) };
  }
  return { tensors, metadata };
}

function typed(dtype: SafetensorsDtype, raw: ArrayBuffer): SafetensorsTensor['data'] {
  switch (dtype) {
    case 'F32':
      return new Float32Array(raw);
    case 'I32':
      return new Int32Array(raw);
    case 'I64':
      return new BigInt64Array(raw);
    case 'F16':
    case 'BF16':
      return new Uint16Array(raw);
    default:
      return new Uint8Array(raw);
  }
}

/** Float32 values of a decoded tensor (F16 and BF16 widened). */
export function toFloat32(tensor: SafetensorsTensor): Float32Array {
  const { dtype, data } = tensor;
  if (dtype === 'F32') return data as Float32Array;
  if (dtype === 'BF16') {
    const bits = new Uint32Array(data.length);
    for (let i = 0; i < data.length; i++) bits[i] = (data as Uint16Array)[i] << 16;
    return new Float32Array(bits.buffer);
  }
  if (dtype === 'F16') {
    const out = new Float32Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = halfToFloat((data as Uint16Array)[i]);
    return out;
  }
  return Float32Array.from(data as ArrayLike<number>, Number);
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}
