// The trainer's float32 view of safetensors (optimizer moments, weights on resume), on top of
// @lmkit/gpt-model's reader and writer: only F32 tensors, and any damage is a CheckpointCorruptError.
import { decodeSafetensors, encodeSafetensors, type SafetensorsTensor } from '@lmkit/gpt-model';
import { CheckpointCorruptError } from '../errors.ts';

export interface Float32Entry {
  shape: number[];
  data: Float32Array;
}

/** Encodes float32 tensors (sorted by name) and string metadata into safetensors bytes. */
export function encodeFloat32Safetensors(
  tensors: ReadonlyMap<string, Float32Entry>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const entries: Record<string, SafetensorsTensor> = {};
  for (const [name, { shape, data }] of tensors) entries[name] = { dtype: 'F32', shape, data };
  return encodeSafetensors(entries, metadata);
}

/** Decodes float32 safetensors bytes; other dtypes and malformed files are CheckpointCorruptErrors. */
export function decodeFloat32Safetensors(
  bytes: Uint8Array,
  label: string,
): { tensors: Map<string, Float32Entry>; metadata: Record<string, string> } {
  const fail = (why: string) =>
    new CheckpointCorruptError(`${label}: ${why}; the file is damaged, write it again`);
  let decoded: ReturnType<typeof decodeSafetensors>;
  try {
    decoded = decodeSafetensors(bytes);
  } catch (error) {
    throw fail(error instanceof SyntaxError ? 'header is not JSON' : (error as Error).message);
  }
  const tensors = new Map<string, Float32Entry>();
  for (const [name, entry] of Object.entries(decoded.tensors)) {
    if (entry.dtype !== 'F32') throw fail(`tensor ${name} has dtype ${entry.dtype}, want F32`);
    tensors.set(name, { shape: entry.shape, data: entry.data as Float32Array });
  }
  return { tensors, metadata: decoded.metadata };
}
