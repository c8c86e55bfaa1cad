// `lmkit-fineweb run --invalid-bytes reject|replace`: a page whose bytes are invalid in its
// declared charset is an `invalid-encoding` error by default, whose detail names the flag; with
// `replace` it is decoded with U+FFFD and kept.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { buildWarc } from '@lmkit/crawler-filters';
import { describe, expect, it } from 'vitest';
import { runCommand } from './run-command.ts';

const encoder = new TextEncoder();
/** Declared UTF-8 (buildWarc's default Content-Type) with one Latin-1 byte (é) inside. */
const page = Uint8Array.from([
  ...encoder.encode(
    '<html><head><title>Menu</title></head><body><article><h1>Today</h1><p>The caf',
  ),
  0xe9,
  ...encoder.encode(
    ' on the corner opens at seven every morning and serves bread, soup and coffee until the evening. Regulars come for the long tables by the window and the quiet hour after lunch.</p></article></body></html>',
  ),
]);

async function run(dir: string, out: string, extra: string[]) {
  let text = '';
  const stdout = new Writable({
    write(chunk, _encoding, done) {
      text += chunk;
      done();
    },
  });
  const argv = ['-i', 'page.warc.gz', '-o', out, '--stages', 'extract', '--removed', '--json'];
  const code = await runCommand({ argv: [...argv, '--quiet', ...extra], cwd: dir, stdout });
  return { code, report: JSON.parse(text) };
}

describe('lmkit-fineweb run --invalid-bytes', () => {
  it('rejects pages with invalid bytes by default, naming the flag, and keeps them with replace', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lmkit-fineweb-bytes-'));
    await buildWarc({
      path: join(dir, 'page.warc.gz'),
      records: [{ url: 'https://cafe.example/menu', body: page }],
    });

    const rejected = await run(dir, 'rejected', []);
    expect(rejected.code).toBe(0);
    expect(rejected.report).toMatchObject({ read: 1, kept: 0, errored: 1 });
    const [removed] = (await readFile(join(dir, 'rejected', 'removed.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(removed).toMatchObject({ url: 'https://cafe.example/menu', reason: 'invalid-encoding' });
    expect(removed.detail).toMatch(/not valid utf-8.*--invalid-bytes replace/);

    const replaced = await run(dir, 'replaced', ['--invalid-bytes', 'replace']);
    expect(replaced.code).toBe(0);
    expect(replaced.report).toMatchObject({ read: 1, kept: 1, errored: 0 });
    const [doc] = (await readFile(join(dir, 'replaced', 'documents-00000.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(doc.text).toContain('The caf\ufffd on the corner');

    await expect(run(dir, 'bad', ['--invalid-bytes', 'drop'])).rejects.toThrow(
      /--invalid-bytes drop.*reject, replace/,
    );
  });
});
