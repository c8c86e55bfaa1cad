import { describe, expect, it } from 'vitest';
import { decodeShardHeader, encodeShardHeader, ShardFormatError } from './index.ts';

describe('llm.c shard header', () => {
  it('writes magic, version and count as little-endian int32 in 1024 bytes', () => {
    const bytes = encodeShardHeader({ version: 1, tokenCount: 70000 });
    expect(bytes.byteLength).toBe(1024);
    const ints = new Int32Array(bytes.buffer);
    expect([ints[0], ints[1], ints[2]]).toEqual([20240520, 1, 70000]);
    expect(decodeShardHeader(bytes, { fileBytes: 1024 + 140000 })).toEqual({
      version: 1,
      tokenCount: 70000,
    });
  });

  it('rejects a wrong magic, unknown version and a size mismatch, naming the value', () => {
    const bytes = encodeShardHeader({ version: 1, tokenCount: 5 });
    expect(() => decodeShardHeader(bytes, { fileBytes: 1030, source: 'a.bin' })).toThrow(
      /a\.bin.*1030 bytes.*5 tokens/,
    );
    new DataView(bytes.buffer).setInt32(4, 7, true);
    expect(() => decodeShardHeader(bytes)).toThrow(/version 7/);
    new DataView(bytes.buffer).setInt32(0, 1234, true);
    expect(() => decodeShardHeader(bytes)).toThrow(ShardFormatError);
  });
});
