// Converters on hand-written rows in each dataset's layout (src/__fixtures__/post-training/README.md)
// and on the real oasst1 sample re-shipped the way Hugging Face does (flat messages in Parquet).
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Conversation } from '@lmkit/core';
import { parquetWriteFile } from 'hyparquet-writer';
import { beforeAll, describe, expect, it } from 'vitest';
import { collect, oasstSample, postTrainingFixture } from './__fixtures__/post-training.ts';
import {
  convertOasst,
  convertRows,
  fromShareGptRow,
  newLoadReport,
  type OasstMessage,
  readOasstTrees,
} from './index.ts';

const fixture = postTrainingFixture;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lmkit-converters-'));
});

describe('convertRows', () => {
  it('DeepSeek-R1 distill rows: reasoning kept, whitespace trimmed, bad rows counted', async () => {
    const report = newLoadReport();
    const out = await collect(
      convertRows({
        path: fixture('distill-r1.jsonl'),
        from: 'distill',
        skipInvalid: true,
        report,
      }),
    );
    expect(out.length).toBe(3);
    expect(out[0].messages).toEqual([
      { role: 'user', content: '一个数的3倍加上5等于20，这个数是多少？' },
      {
        role: 'assistant',
        content: '这个数是 **5**。\n\n解：设这个数为 x，则 3x + 5 = 20，3x = 15，x = 5。',
        reasoning: '设这个数为x。根据题意，3x + 5 = 20，所以3x = 15，x = 5。验证：3×5+5=20，正确。',
      },
    ]);
    expect(out[1].messages[1].reasoning).toMatch(/^The user wants a translation\./);
    expect(out[2].messages[1]).not.toHaveProperty('reasoning'); // empty reasoning_content
    expect(report).toEqual({
      records: 6,
      yielded: 3,
      skipped: { 'missing content': 1, 'empty content': 1, 'bad reasoning': 1 },
    });
    await expect(
      collect(convertRows({ path: fixture('distill-r1.jsonl'), from: 'distill' })),
    ).rejects.toThrow(/distill-r1\.jsonl:4: content is null, expected a string/);
  });

  it('ShareGPT rows: speakers mapped, a leading gpt turn dropped, bad rows counted', async () => {
    const report = newLoadReport();
    const out = await collect(
      convertRows({ path: fixture('sharegpt.jsonl'), from: 'sharegpt', skipInvalid: true, report }),
    );
    expect(out.map((c) => c.id)).toEqual(['QWJhYvA_0', 'i6IyJda_12', 'wFQ2kcS_3']);
    expect(out[0].messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(out[1].messages[0]).toEqual({ role: 'system', content: 'You are a helpful SQL tutor.' });
    expect(out[2].messages[0]).toEqual({ role: 'user', content: 'What grit should I use?' });
    expect(report.skipped).toEqual({
      'unknown speaker': 1,
      'roles out of order': 1,
      'empty content': 1,
      'missing conversations': 1,
    });
    expect(fromShareGptRow({ conversations: [{ from: 'bot', value: 'x' }] })).toEqual({
      problem: expect.objectContaining({ field: 'conversations[0].from' }),
    });
  });

  it('Hugging Face messages rows: parts joined, <think> split, reasoning_content kept', async () => {
    const report = newLoadReport();
    const out = await collect(
      convertRows({
        path: fixture('messages.jsonl'),
        from: 'messages',
        splitThink: true,
        skipInvalid: true,
        report,
      }),
    );
    expect(out.map((c) => c.id)).toEqual(['hf-0', 'hf-1', 'hf-2']);
    expect(out[1].messages).toEqual([
      { role: 'user', content: 'Name a prime above 10.' },
      { role: 'assistant', content: '11', reasoning: '11 is prime and above 10.' },
    ]);
    expect(out[2].messages[1].reasoning).toBe('1 km = 0.621371 mi, so 3 km = 1.864 mi.');
    expect(report.skipped).toEqual({ 'unknown role': 1 });
  });

  it('reads the same rows from Parquet as from JSONL', async () => {
    const lines = (await readFile(fixture('sharegpt.jsonl'), 'utf8')).trim().split('\n');
    const rows = lines.map((l) => JSON.parse(l)).filter((r) => r.conversations);
    const path = join(dir, 'sharegpt.parquet');
    await parquetWriteFile({
      filename: path,
      schema: [
        { name: 'root', num_children: 2 },
        { name: 'id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
        {
          name: 'conversations',
          repetition_type: 'OPTIONAL',
          converted_type: 'LIST',
          num_children: 1,
        },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        { name: 'element', repetition_type: 'OPTIONAL', num_children: 2 },
        { name: 'from', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
        { name: 'value', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      ],
      columnData: [
        { name: 'id', data: rows.map((r) => r.id) },
        { name: 'conversations', data: rows.map((r) => r.conversations) },
      ],
    });
    const fromJsonl = await collect(
      convertRows({ path: fixture('sharegpt.jsonl'), from: 'sharegpt', skipInvalid: true }),
    );
    const fromParquet = await collect(
      convertRows({ path, from: 'sharegpt', skipInvalid: true, rowsPerBatch: 2 }),
    );
    expect(fromParquet).toEqual(fromJsonl);
  });
});

describe('convertOasst (Hugging Face flat export)', () => {
  const flatten = (tree: { message_tree_id: string; prompt: OasstMessage }) => {
    const out: Record<string, unknown>[] = [];
    const walk = (node: OasstMessage, parent: string | null) => {
      const { replies, ...rest } = node;
      out.push({ ...rest, parent_id: parent, message_tree_id: tree.message_tree_id });
      for (const reply of replies ?? []) walk(reply, node.message_id);
    };
    walk(tree.prompt, null);
    return out;
  };

  it('the real oasst1 sample as Parquet gives the threads of its nested export', async () => {
    const trees = (await readFile(oasstSample, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const rows = trees.flatMap(flatten);
    expect(rows.length).toBe(1167);
    const path = join(dir, 'oasst1.parquet');
    const column = (name: string, type: 'STRING' | 'BOOLEAN' | 'DOUBLE') => ({
      name,
      type,
      data: rows.map((r) => (r[name] ?? null) as never),
    });
    await parquetWriteFile({
      filename: path,
      columnData: [
        column('message_id', 'STRING'),
        column('parent_id', 'STRING'),
        column('text', 'STRING'),
        column('role', 'STRING'),
        column('lang', 'STRING'),
        column('rank', 'DOUBLE'),
        column('deleted', 'BOOLEAN'),
        column('review_result', 'BOOLEAN'),
        column('synthetic', 'BOOLEAN'),
        column('message_tree_id', 'STRING'),
      ],
    });
    for (const paths of ['best', 'all'] as const) {
      const report = newLoadReport();
      const threads = await collect(convertOasst({ path, paths, languages: ['en'], report }));
      const nested = await collect(readOasstTrees({ path: oasstSample, paths }));
      expect(threads).toEqual(nested);
      expect(report.records).toBe(1167);
      expect(report.skipped['other language']).toBeUndefined();
    }
    const none = newLoadReport();
    expect(await collect(convertOasst({ path, languages: ['de'], report: none }))).toEqual([]);
    expect(none.skipped).toEqual({ 'other language': 1167 });
  });

  it('keeps only the asked languages, cutting a foreign follow-up with its replies', async () => {
    const path = fixture('oasst1-multilingual.jsonl');
    const report = newLoadReport();
    const threads: Conversation[] = await collect(
      convertOasst({ path, paths: 'all', languages: ['en'], report }),
    );
    expect(threads.map((t) => t.id)).toEqual(['m-en-2', 'm-en-5']);
    expect(report.skipped).toEqual({ 'other language': 3 + 2 + 2 });
    const both = await collect(convertOasst({ path, paths: 'best', languages: ['es', 'de'] }));
    expect(both.map((t) => t.messages.at(-1)!.content)).toEqual([
      'El Teide, en Tenerife, con 3.715 metros.',
      'Deutschland hat 16 Bundesländer.',
    ]);
    const all = await collect(convertOasst({ path, paths: 'all' }));
    expect(all.map((t) => t.id)).toEqual(['m-es-2', 'm-es-3', 'm-en-4', 'm-en-5', 'm-de-2']);
  });
});
