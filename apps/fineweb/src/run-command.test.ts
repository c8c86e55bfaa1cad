import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWarc, defineStage, type StageFactory } from '@lmkit/crawler-filters';
import { describe, expect, it } from 'vitest';
import { capture } from './__fixtures__/capture.ts';
import { runCommand } from './run-command.ts';

const data = fileURLToPath(new URL('../../../data/', import.meta.url));

/** docs.jsonl through one registered stage into out/, quiet, `shardSize` documents a shard. */
function stageArgv(stage: string, shardSize: number): string[] {
  return [
    '-i',
    'docs.jsonl',
    '-o',
    'out',
    '--stages',
    stage,
    '--quiet',
    '--shard-size',
    String(shardSize),
  ];
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
    ).rejects.toThrow(/--format "?csv"?(: must be one of| is not one of) jsonl, jsonl.gz, parquet/);
  });

  it('refuses an input inside the output folder before opening anything', async () => {
    const dir = await setup();
    const input = join(dir, 'out', 'documents-00000.jsonl');
    await mkdir(join(dir, 'out'));
    const text = jsonl(62);
    await writeFile(input, text);
    await expect(
      runCommand({ argv: ['-i', 'out/*.jsonl', '-o', 'out', '--quiet'], cwd: dir }),
    ).rejects.toThrow(`--input ${input} lies inside the output folder ${join(dir, 'out')}`);
    expect(await readFile(input, 'utf8')).toBe(text);
    expect(await readdir(join(dir, 'out'))).toEqual(['documents-00000.jsonl']);
  });

  it('a rerun into a used folder leaves exactly the shards its stats list, and says what it removed', async () => {
    const dir = await setup();
    await writeFile(join(dir, 'docs.jsonl'), jsonl(10));
    const run = (shardSize: number, extra: string[] = []) => {
      const err = capture();
      return runCommand({
        argv: [...stageArgv('pass', shardSize), ...extra],
        cwd: dir,
        registry: { pass },
        stderr: err.stream as unknown as NodeJS.WriteStream,
      }).then((code) => ({ code, err: err.text() }));
    };
    expect((await run(3, ['--removed'])).code).toBe(0);
    expect(
      (await readdir(join(dir, 'out'))).filter((f) => f.startsWith('documents-')),
    ).toHaveLength(4);
    await writeFile(join(dir, 'out', 'notes.txt'), 'not ours');
    const second = await run(5);
    expect(second.code).toBe(0);
    expect(second.err).toContain(
      `removed 6 file(s) an earlier run left in ${join(dir, 'out')}: documents-00000.jsonl, documents-00001.jsonl, documents-00002.jsonl, documents-00003.jsonl, removed.jsonl and 1 more`,
    );
    const stats = JSON.parse(await readFile(join(dir, 'out', 'stats.json'), 'utf8'));
    expect(stats.complete).toBe(true);
    expect(stats.output.map((f: string) => f.slice(join(dir, 'out').length + 1))).toEqual([
      'documents-00000.jsonl',
      'documents-00001.jsonl',
    ]);
    expect((await readdir(join(dir, 'out'))).sort()).toEqual([
      'documents-00000.jsonl',
      'documents-00001.jsonl',
      'notes.txt',
      'stats.json',
    ]);
    expect(await lineCount(stats.output)).toBe(10);
  });

  it('an interrupted run finishes the documents it read and writes stats with "complete": false', async () => {
    const dir = await setup();
    await writeFile(join(dir, 'docs.jsonl'), jsonl(50));
    const controller = new AbortController();
    let seen = 0;
    const abortAfterFour: StageFactory = () =>
      defineStage('interrupt', async function* (docs) {
        for await (const doc of docs) {
          if (++seen === 4) controller.abort();
          yield doc;
        }
      });
    const out = capture();
    const code = await runCommand({
      argv: stageArgv('interrupt', 2),
      cwd: dir,
      registry: { interrupt: abortAfterFour },
      signal: controller.signal,
      stdout: out.stream,
    });
    expect(code).toBe(130);
    expect(out.text()).toContain('stats.json says "complete": false');
    const stats = JSON.parse(await readFile(join(dir, 'out', 'stats.json'), 'utf8'));
    expect(stats.complete).toBe(false);
    expect(stats.read).toBeGreaterThanOrEqual(4);
    expect(stats.read).toBeLessThan(50);
    expect(stats.kept).toBe(stats.read);
    const names = (await readdir(join(dir, 'out'))).sort();
    expect(names).toEqual(
      [
        ...stats.output.map((f: string) => f.slice(join(dir, 'out').length + 1)),
        'stats.json',
      ].sort(),
    );
    expect(await lineCount(stats.output)).toBe(stats.kept);
  });
  it('counts what the reader skipped to resynchronise, per input file', async () => {
    const dir = await setup();
    const pages = Array.from({ length: 4 }, (_, i) => ({
      url: `https://news.example/${i}`,
      body: `<html><body><p>Page ${i}: a few plain English words.</p></body></html>`,
    }));
    const text = new TextDecoder().decode(await buildWarc({ records: pages, gzip: false }));
    const records = text.split(/(?=WARC\/1\.1\r\n)/u);
    records.splice(2, 0, 'stray bytes between records\r\n');
    await writeFile(join(dir, 'damaged.warc'), records.join(''));
    const out = capture();
    await runCommand({
      argv: ['-i', 'damaged.warc', '-o', 'out', '--stages', 'extract', '--json', '--quiet'],
      cwd: dir,
      stdout: out.stream,
    });
    const report = JSON.parse(out.text());
    expect(report.read).toBe(4);
    expect(report.skipped).toEqual({
      'damaged.warc': { 'garbage-between-records': { count: 1, bytes: 29 } },
    });
  });
});

/** Lines (documents) in JSONL shards. */
async function lineCount(files: string[]): Promise<number> {
  let lines = 0;
  for (const file of files)
    lines += (await readFile(file, 'utf8')).split('\n').filter(Boolean).length;
  return lines;
}

/** `count` JSONL documents of a few words each. */
function jsonl(count: number): string {
  return Array.from({ length: count }, (_, i) =>
    JSON.stringify({ id: `doc-${i}`, text: `Document number ${i} has a few plain words in it.` }),
  )
    .join('\n')
    .concat('\n');
}

const pass: StageFactory = () =>
  defineStage('pass', async function* (docs) {
    yield* docs;
  });
