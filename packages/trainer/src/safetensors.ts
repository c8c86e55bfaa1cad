// A minimal float32 safetensors reader and writer for the trainer's own files (optimizer moments)
// and for restoring weights on resume. Format: 8-byte little-endian header length, JSON header
// {name: {dtype, shape, data_offsets}} with optional __metadata__, then raw little-endian bytes.
import { CheckpointCorruptError } from './errors.ts';

export interface Float32Entry {
  shape: number[];
  data: Float32Array;
}

/** Encodes float32 tensors (sorted by name) and string metadata into safetensors bytes. */
export function encodeFloat32Safetensors(
  tensors: ReadonlyMap<string, Float32Entry>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  const names = [...tensors.keys()].sort();
  for (const name of names) {
    const { shape, data } = tensors.get(name)!;
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((json.length + 8) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const name of names) {
    const { data } = tensors.get(name)!;
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    at += data.byteLength;
  }
  return out;
}

/** Decodes float32 safetensors bytes; other dtypes and out-of-range offsets are errors. */
export function decodeFloat32Safetensors(
  bytes: Uint8Array,
  label: string,
): { tensors: Map<string, Float32Entry>; metadata: Record<string, string> } {
  const fail = (why: string) =>
    new CheckpointCorruptError(`${label}: ${why}; the file is damaged, write it again`);
  if (bytes.length < 8) throw fail(`${bytes.length} bytes is shorter than the 8-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (8 + headerLength > bytes.length) throw fail(`header of ${headerLength} bytes overruns`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch {
    throw fail('header is not JSON');
  }
  const base = 8 + headerLength;
  const tensors = new Map<string, Float32Entry>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = entry as unknown as Record<string, string>;
      continue;
    }
    if (entry.dtype !== 'F32') throw fail(`tensor ${name} has dtype ${entry.dtype}, want F32`);
    const [begin, end] = entry.data_offsets;
    const count = entry.shape.reduce((a, b) => a * b, 1);
    if (end - begin !== count * 4 || base + end > bytes.length) {
      throw fail(`tensor ${name} bytes [${begin}, ${end}) do not match shape or file size`);
    }
    const copy = new Uint8Array(bytes.subarray(base + begin, base + end));
    tensors.set(name, { shape: entry.shape, data: new Float32Array(copy.buffer) });
  }
  return { tensors, metadata };
}
