// The convert and pairs commands' file work: written whole under the final name, bad rows counted
// or (strict) stopping the run with no file left behind; pairs split by tree into two files.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { convertFile, pairsFile } from './convert-command.ts';

const fixtures = new URL(
  '../../../packages/datasets/src/__fixtures__/post-training/',
  import.meta.url,
).pathname;
const oasst = new URL('../../../data/conversations/oasst1-en-100-trees.jsonl', import.meta.url)
  .pathname;
const rows = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

describe('convertFile', () => {
  it('writes the converted rows and counts the bad ones; strict leaves no file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lmkit-convert-'));
    const output = join(dir, 'chat.jsonl');
    const report = await convertFile({
      input: join(fixtures, 'distill-r1.jsonl'),
      output,
      from: 'distill',
    });
    expect(report).toMatchObject({ records: 6, yielded: 3 });
    expect(rows(output).map((r) => r.messages.length)).toEqual([2, 2, 2]);
    const strictOut = join(dir, 'strict.jsonl');
    await expect(
      convertFile({
        input: join(fixtures, 'distill-r1.jsonl'),
        output: strictOut,
        from: 'distill',
        strict: true,
      }),
    ).rejects.toThrow(/distill-r1\.jsonl:4: content is null/);
    expect(readdirSync(dir)).toEqual(['chat.jsonl']);
  });
});

describe('pairsFile', () => {
  it('splits oasst1 pairs by tree into train.jsonl and validation.jsonl', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lmkit-pairs-'));
    const report = await pairsFile({
      input: oasst,
      outputDir: dir,
      from: 'oasst',
      validationFraction: 0.2,
    });
    expect(report.train + report.validation).toBe(732);
    const train = rows(join(dir, 'train.jsonl'));
    const validation = rows(join(dir, 'validation.jsonl'));
    expect([train.length, validation.length]).toEqual([report.train, report.validation]);
    const trees = new Set(train.map((p) => p.group));
    expect(validation.some((p) => trees.has(p.group))).toBe(false);
    expect(existsSync(join(dir, `train.jsonl.partial-${process.pid}`))).toBe(false);
  });
});
