import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { buildWarc } from '@lmkit/crawler-filters';
import { describe, expect, it } from 'vitest';
import { runCommand } from './run-command.ts';

const data = fileURLToPath(new URL('../../../data/', import.meta.url));

function capture() {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += chunk;
      done();
    },
  });
  return { stream, text: () => text };
}

async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'lmkit-fineweb-'));
  await buildWarc({
    path: join(dir, 'a.warc.gz'),
    records: ['001', 'bbc-1', 'lemonde-1'].map((name) => ({
      url: `https://news.example/${name}`,
      body: readFileSync(`${data}html/readability/${name}/source.html`, 'utf8'),
    })),
  });
  await buildWarc({
    path: join(dir, 'b.warc.gz'),
    records: [{ url: 'https://news.example/empty', body: '' }],
  });
  return dir;
}

describe('lmkit-fineweb run', () => {
  it('filters WARC files into JSONL shards with a stats table and stats.json whose counts add up', async () => {
    const dir = await setup();
    const out = capture();
    const code = await runCommand({
      argv: ['--input', '*.warc.gz', '--output', 'out', '--removed', '--quiet'],
      cwd: dir,
      stdout: out.stream,
    });
    expect(code).toBe(0);
    expect(out.text()).toMatch(/\| stage +\| read \| kept \| dropped \| errored \|/);
    expect(out.text()).toMatch(/error: empty-record +\| 1/);
    const stats = JSON.parse(await readFile(join(dir, 'out', 'stats.json'), 'utf8'));
    expect(stats.read).toBe(4);
    expect(stats.read).toBe(stats.kept + stats.dropped + stats.errored);
    const files = (await readdir(join(dir, 'out'))).sort();
    expect(files).toEqual(['documents-00000.jsonl', 'removed.jsonl', 'stats.json']);
    const lines = (await readFile(join(dir, 'out', 'documents-00000.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean);
    expect(lines).toHaveLength(stats.kept);
    const removed = (await readFile(join(dir, 'out', 'removed.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(removed).toHaveLength(stats.dropped + stats.errored);
    expect(removed.find((r) => r.url === 'https://news.example/lemonde-1')).toMatchObject({
      stage: 'language',
      reason: 'language:fra',
    });
  });

  it('prints JSON with --json, runs only --stages, and keeps other languages on request', async () => {
    const dir = await setup();
    const out = capture();
    await runCommand({
      argv: [
        '-i',
        'a.warc.gz',
        '-o',
        'out',
        '--json',
        '--quiet',
        '--stages',
        'extract,language',
        '--languages',
        'eng,fra',
        '--format',
        'parquet',
      ],
      cwd: dir,
      stdout: out.stream,
    });
    const report = JSON.parse(out.text());
    expect(report.stageNames).toEqual(['extract', 'language']);
    expect(report.stages.map((s: { stage: string }) => s.stage)).toEqual([
      'read',
      'extract',
      'language',
    ]);
    expect(report).toMatchObject({ read: 3, kept: 3 });
    expect(report.output).toEqual([join(dir, 'out', 'documents-00000.parquet')]);
  });

  it('names a bad option value and a missing input', async () => {
    const dir = await setup();
    await expect(
      runCommand({ argv: ['-i', 'a.warc.gz', '-o', 'out', '--stages', 'nope'], cwd: dir }),
    ).rejects.toThrow(/unknown stage "nope"/);
    await expect(
      runCommand({ argv: ['-i', 'missing.warc.gz', '-o', 'out'], cwd: dir }),
    ).rejects.toThrow(/no such file/);
    await expect(
      runCommand({ argv: ['-i', 'a.warc.gz', '-o', 'out', '--format', 'csv'], cwd: dir }),
    ).rejects.toThrow(/--format "csv"/);
  });
});
