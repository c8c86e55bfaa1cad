import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  decodeShard,
  encodeShard,
  openShardWriter,
  readShard,
  ShardFormatError,
  writeShard,
} from './index.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lmkit-shards-'));
});

describe('writeShard / readShard', () => {
  it('writes the llm.c layout byte for byte and reads it back', async () => {
    const path = join(dir, 'a.bin');
    const tokens = [0, 1, 50256, 65535, 7];
    await writeShard(path, tokens);
    const bytes = await readFile(path);
    expect(bytes.byteLength).toBe(1024 + 2 * tokens.length);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect([view.getInt32(0, true), view.getInt32(4, true), view.getInt32(8, true)]).toEqual([
      20240520, 1, 5,
    ]);
    expect(view.getUint16(1024 + 2 * 2, true)).toBe(50256);
    const shard = await readShard(path);
    expect(shard.version).toBe(1);
    expect(shard.tokens).toBeInstanceOf(Uint16Array);
    expect(Array.from(shard.tokens)).toEqual(tokens);
  });

  it('writes uint32 shards as version 2 and a uint16-only reader rejects them clearly', async () => {
    const path = join(dir, 'wide.bin');
    await writeShard(path, [70000, 3, 100277], { version: 2 });
    expect((await stat(path)).size).toBe(1024 + 12);
    const shard = await readShard(path);
    expect(shard.version).toBe(2);
    expect(Array.from(shard.tokens)).toEqual([70000, 3, 100277]);
    await expect(readShard(path, { version: 1 })).rejects.toThrow(
      /wide\.bin: shard version 2 \(uint32 tokens\).*accepts only version 1 \(uint16/,
    );
  });

  it('refuses ids that do not fit uint16, naming the id and the fix, and writes nothing', async () => {
    const path = join(dir, 'too-big.bin');
    await expect(writeShard(path, [1, 65536])).rejects.toThrow(
      /token 65536 at index 1 .*version 2 \(uint32\)/,
    );
    await expect(stat(path)).rejects.toThrow();
    await expect(writeShard(path, [1.5])).rejects.toThrow(ShardFormatError);
    await expect(writeShard(path, [-1])).rejects.toThrow(/non-negative integers/);
  });

  it('rejects truncated files, wrong magic and counts that disagree with the size', async () => {
    const path = join(dir, 'ok.bin');
    await writeShard(path, [1, 2, 3, 4]);
    const bytes = await readFile(path);
    const cut = join(dir, 'cut.bin');
    await writeFile(cut, bytes.subarray(0, bytes.byteLength - 1));
    await expect(readShard(cut)).rejects.toThrow(/cut\.bin: file is 1031 bytes .*4 tokens/);
    await writeFile(cut, bytes.subarray(0, 100));
    await expect(readShard(cut)).rejects.toThrow(/header is 100 bytes/);
    const wrong = Buffer.from(bytes);
    wrong.writeInt32LE(20240326, 0);
    await writeFile(cut, wrong);
    await expect(readShard(cut)).rejects.toThrow(/magic 20240326/);
  });

  it('decodes shards held at any byte offset, large or small', async () => {
    const tokens = Array.from({ length: 10_000 }, (_, i) => (i * 7919) % 65536);
    const path = join(dir, 'large.bin');
    await writeShard(path, tokens);
    expect(Array.from((await readShard(path)).tokens)).toEqual(tokens);
    const bytes = encodeShard(tokens.slice(0, 9), 1);
    const shifted = new Uint8Array(bytes.byteLength + 1);
    shifted.set(bytes, 1);
    const decoded = decodeShard(shifted.subarray(1));
    expect(Array.from(decoded.tokens)).toEqual(tokens.slice(0, 9));
    expect(decoded.tokens.buffer.byteLength).toBe(18);
  });

  it('reads an empty shard', async () => {
    const path = join(dir, 'empty.bin');
    await writeShard(path, []);
    expect((await readShard(path)).tokens.length).toBe(0);
  });
});

describe('openShardWriter', () => {
  it('streams chunks into one shard that appears only on close', async () => {
    const path = join(dir, 'stream.bin');
    const writer = await openShardWriter({ path });
    await writer.append([1, 2, 3]);
    await writer.append(new Uint16Array([4, 5]));
    await expect(stat(path)).rejects.toThrow();
    expect(await writer.close()).toBe(5);
    expect(Array.from((await readShard(path)).tokens)).toEqual([1, 2, 3, 4, 5]);
    await expect(writer.append([6])).rejects.toThrow(/append after close/);
  });

  it('keeps earlier chunks when a later chunk is rejected, and abort leaves no file', async () => {
    const path = join(dir, 'aborted.bin');
    const writer = await openShardWriter({ path, version: 2 });
    await writer.append([100000]);
    await expect(writer.append([2 ** 32])).rejects.toThrow(ShardFormatError);
    expect(writer.tokenCount).toBe(1);
    await writer.abort();
    await expect(stat(path)).rejects.toThrow();
    await expect(stat(`${path}.partial`)).rejects.toThrow();
  });
});
