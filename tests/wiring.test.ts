// Cross-package wiring: text → byte tokens with one BPE merge (bpe) → an llm.c shard header
// (datasets) → read back; the GPT config (gpt-model) sizes the vocabulary the shard must fit.
import { readFileSync } from 'node:fs';
import { mergePair } from '@lmkit/bpe';
import { decodeShardHeader, encodeShardHeader, SHARD_HEADER_BYTES } from '@lmkit/datasets';
import { describe, expect, it } from 'vitest';

const shakespeare = readFileSync(
  new URL('../data/text/tinyshakespeare.txt', import.meta.url),
  'utf8',
);

describe('packages compose', () => {
  it('tokenizes Tiny Shakespeare into a uint16 llm.c shard that reads back token for token', () => {
    const bytes = Array.from(new TextEncoder().encode(shakespeare.slice(0, 20_000)));
    const e = 'e'.charCodeAt(0);
    const space = ' '.charCodeAt(0);
    const ids = mergePair(bytes, [e, space], 256);
    expect(ids.length).toBeLessThan(bytes.length);

    const header = encodeShardHeader({ version: 1, tokenCount: ids.length });
    const file = new Uint8Array(SHARD_HEADER_BYTES + 2 * ids.length);
    file.set(header);
    new Uint16Array(file.buffer, SHARD_HEADER_BYTES).set(ids);

    const parsed = decodeShardHeader(file, { fileBytes: file.byteLength });
    const tokens = Array.from(new Uint16Array(file.buffer, SHARD_HEADER_BYTES, parsed.tokenCount));
    expect(tokens).toEqual(ids);
  });
});
