// The structural check of a `model.safetensors` file served without a manifest.json: the header
// parses, every tensor's byte range matches its dtype and shape, the ranges tile the data area
// with no gap or overlap, and the file ends where the last tensor does. A flipped weight byte
// passes (only a checksum could catch it), which the server says when it starts.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { CheckpointError } from './errors.ts';

const bytesPerElement: Record<string, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/** Largest header accepted (safetensors' own limit is 100 MB). */
const maxHeaderBytes = 100_000_000;

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** Throws a CheckpointError naming the file and the first inconsistency found. */
export function checkSafetensorsLayout(path: string) {
  const fd = openSync(path, 'r');
  try {
    const fileBytes = fstatSync(fd).size;
    const fail = (what: string) =>
      new CheckpointError(
        `${path} is corrupt: ${what}; restore the folder from its source or re-save the model (without a manifest.json its integrity cannot be checked further)`,
      );
    if (fileBytes < 8)
      throw fail(`the file has ${fileBytes} bytes, fewer than the 8-byte header length`);
    const lengthBytes = Buffer.alloc(8);
    readSync(fd, lengthBytes, 0, 8, 0);
    const headerBytes = Number(lengthBytes.readBigUInt64LE(0));
    if (headerBytes > maxHeaderBytes || 8 + headerBytes > fileBytes) {
      throw fail(`the header claims ${headerBytes} bytes but the file has ${fileBytes}`);
    }
    const headerBuffer = Buffer.alloc(headerBytes);
    readSync(fd, headerBuffer, 0, headerBytes, 8);
    let header: Record<string, HeaderEntry>;
    try {
      header = JSON.parse(headerBuffer.toString('utf8'));
    } catch (error) {
      throw fail(`its header is not valid JSON (${(error as Error).message})`);
    }
    if (typeof header !== 'object' || header === null || Array.isArray(header)) {
      throw fail('its header is not a JSON object');
    }
    const ranges: [number, number, string][] = [];
    for (const [name, entry] of Object.entries(header)) {
      if (name === '__metadata__') continue;
      const size = bytesPerElement[entry?.dtype];
      const [begin, end] = (
        Array.isArray(entry?.data_offsets) ? entry.data_offsets : []
      ) as number[];
      const shapeOk =
        Array.isArray(entry?.shape) && entry.shape.every((d) => Number.isSafeInteger(d) && d >= 0);
      if (
        size === undefined ||
        !shapeOk ||
        !Number.isSafeInteger(begin) ||
        !Number.isSafeInteger(end)
      ) {
        throw fail(`tensor ${name} has an invalid entry ${JSON.stringify(entry)?.slice(0, 120)}`);
      }
      const expected = entry.shape.reduce((a, b) => a * b, 1) * size;
      if (end - begin !== expected) {
        throw fail(
          `tensor ${name} spans ${end - begin} bytes but shape [${entry.shape}] ${entry.dtype} needs ${expected}`,
        );
      }
      ranges.push([begin, end, name]);
    }
    ranges.sort((a, b) => a[0] - b[0]);
    let at = 0;
    for (const [begin, end, name] of ranges) {
      if (begin !== at) {
        throw fail(
          `tensor ${name} starts at byte ${begin} of the data, expected ${at} (a gap or an overlap)`,
        );
      }
      at = end;
    }
    const dataBytes = fileBytes - 8 - headerBytes;
    if (dataBytes !== at) {
      throw fail(
        `the tensors need ${at} bytes of data but the file holds ${dataBytes} (truncated or padded)`,
      );
    }
  } finally {
    closeSync(fd);
  }
}
