// `lmkit-fineweb run`'s stats.json: per stage, its own time, the UTF-8 bytes of text read and kept,
// and the GPT-2 (r50k_base) tokens kept, matching the shards that were written.
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { getEncoding } from '@lmkit/bpe';
import { buildWarc } from '@lmkit/crawler-filters';
import { describe, expect, it } from 'vitest';
import { runCommand } from './run-command.ts';

const data = fileURLToPath(new URL('../../../data/', import.meta.url));

describe('lmkit-fineweb run stats per stage', () => {
  it('records time, bytes and tokens for every stage, and the last stage matches the shard', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lmkit-fineweb-stage-stats-'));
    try {
      await buildWarc({
        path: join(dir, 'a.warc.gz'),
        records: ['001', 'bbc-1'].map((name) => ({
          url: `https://news.example/${name}`,
          body: readFileSync(`${data}html/readability/${name}/source.html`, 'utf8'),
        })),
      });
      const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
      const code = await runCommand({
        argv: ['-i', 'a.warc.gz', '-o', 'out', '--quiet', '--stages', 'extract,language'],
        cwd: dir,
        stdout: quiet,
      });
      expect(code).toBe(0);
      const stats = JSON.parse(await readFile(join(dir, 'out', 'stats.json'), 'utf8'));
      for (const stage of stats.stages) {
        expect(stage.durationMs, stage.stage).toBeGreaterThanOrEqual(0);
        expect(stage.readBytes, stage.stage).toBeGreaterThanOrEqual(0);
        expect(Number.isInteger(stage.keptTokens), stage.stage).toBe(true);
      }
      const extract = stats.stages.find((stage: { stage: string }) => stage.stage === 'extract');
      expect(extract.keptBytes).toBeGreaterThan(1000);
      const texts = (await readFile(join(dir, 'out', 'documents-00000.jsonl'), 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line).text as string);
      const last = stats.stages.at(-1);
      expect(last.kept).toBe(texts.length);
      expect(last.keptBytes).toBe(texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0));
      const gpt2 = getEncoding('r50k_base');
      expect(last.keptTokens).toBe(
        texts.reduce((sum, text) => sum + gpt2.encodeOrdinary(text).length, 0),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
