// Shards against a vocabulary: lmkit's writers record the largest id in the header, the check
// reads only headers for them and scans shards from other writers; the error names the shard.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  checkShardVocabulary,
  decodeShardHeader,
  encodeShardHeader,
  openShardWriter,
  SHARD_HEADER_BYTES,
  ShardVocabularyError,
  shardLargestTokenId,
  writeShard,
} from './index.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lmkit-shard-vocab-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A shard as llm.c's scripts write it: the three header ints only, then uint16 tokens. */
function foreignShard(path: string, tokens: number[]) {
  const header = encodeShardHeader({ version: 1, tokenCount: tokens.length });
  writeFileSync(path, Buffer.concat([header, Buffer.from(new Uint16Array(tokens).buffer)]));
}

describe('largest token id of a shard', () => {
  it('is recorded in the header by writeShard and the streaming writer', async () => {
    await writeShard(join(dir, 'a.bin'), [5, 300, 7]);
    const writer = await openShardWriter({ path: join(dir, 'b.bin'), version: 2 });
    await writer.append([1, 2]);
    await writer.append([70_000, 3]);
    await writer.close();
    expect(shardLargestTokenId(join(dir, 'a.bin'))).toMatchObject({
      largestTokenId: 300,
      from: 'header',
    });
    expect(shardLargestTokenId(join(dir, 'b.bin'))).toMatchObject({
      largestTokenId: 70_000,
      from: 'header',
    });
    const header = encodeShardHeader({ version: 1, tokenCount: 3, largestTokenId: 300 });
    expect(decodeShardHeader(header, { fileBytes: SHARD_HEADER_BYTES + 6 })).toEqual({
      version: 1,
      tokenCount: 3,
      largestTokenId: 300,
    });
  });

  it('is found by a scan in a shard without the record (llm.c)', () => {
    foreignShard(join(dir, 'llmc.bin'), [9, 4, 611, 2]);
    expect(shardLargestTokenId(join(dir, 'llmc.bin'))).toMatchObject({
      largestTokenId: 611,
      from: 'scan',
    });
  });
});

describe('checkShardVocabulary', () => {
  it('passes shards inside the vocabulary', async () => {
    await writeShard(join(dir, 'a.bin'), [0, 511, 3]);
    foreignShard(join(dir, 'b.bin'), [510, 1]);
    const found = checkShardVocabulary({
      files: [join(dir, 'a.bin'), join(dir, 'b.bin')],
      vocabSize: 512,
    });
    expect(found.map((f) => f.largestTokenId)).toEqual([511, 510]);
  });

  it('names the shard with an id outside the vocabulary, its id and the fix', async () => {
    await writeShard(join(dir, 'train_000001.bin'), [1, 2, 3]);
    await writeShard(join(dir, 'train_000002.bin'), [4, 700, 5]);
    expect(() =>
      checkShardVocabulary({
        files: [join(dir, 'train_000001.bin'), join(dir, 'train_000002.bin')],
        vocabSize: 512,
        what: 'training shard',
      }),
    ).toThrow(
      `training shard ${join(dir, 'train_000002.bin')} holds token id 700, outside the vocabulary of 512 ids (0..511)`,
    );
    foreignShard(join(dir, 'llmc.bin'), [1, 512]);
    expect(() => checkShardVocabulary({ files: [join(dir, 'llmc.bin')], vocabSize: 512 })).toThrow(
      ShardVocabularyError,
    );
  });

  it('reads only the header of a shard that records its largest id', () => {
    // The header says 10; the tokens (never read) hold 600: the check believes the header.
    const header = encodeShardHeader({ version: 1, tokenCount: 2, largestTokenId: 10 });
    writeFileSync(
      join(dir, 'h.bin'),
      Buffer.concat([header, Buffer.from(new Uint16Array([600, 1]).buffer)]),
    );
    expect(checkShardVocabulary({ files: [join(dir, 'h.bin')], vocabSize: 512 })[0]).toEqual({
      path: join(dir, 'h.bin'),
      largestTokenId: 10,
      from: 'header',
    });
  });
});
