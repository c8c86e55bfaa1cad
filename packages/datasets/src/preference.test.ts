// Preference pairs: oasst1's ranked siblings on the real 100-tree sample (counts computed
// independently by a Python walk of the same file: 212 prompts with ≥ 2 ranked replies, 754 pairs
// with synthetic messages, 207 prompts / 732 pairs without), the row shapes TRL uses (hand-written
// fixture), Parquet, and a split by tree with nothing leaking across.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteFile } from 'hyparquet-writer';
import { beforeAll, describe, expect, it } from 'vitest';
import { collect, oasstSample, postTrainingFixture } from './__fixtures__/post-training.ts';
import {
  newLoadReport,
  type PreferencePair,
  readOasstPreferencePairs,
  readPreferencePairs,
  splitPreferencePairs,
  toPreferencePair,
} from './index.ts';

const fixture = postTrainingFixture;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lmkit-preference-'));
});

describe('readOasstPreferencePairs on the real oasst1 sample', () => {
  it.each([
    [true, 'all', 212, 754],
    [true, 'best-worst', 212, 212],
    [false, 'all', 207, 732],
    [false, 'best-worst', 207, 207],
  ] as const)(
    'synthetic %s, pairs %s → %i prompts, %i pairs',
    async (includeSynthetic, pairs, prompts, count) => {
      const report = newLoadReport();
      const out = await collect(
        readOasstPreferencePairs({ path: oasstSample, includeSynthetic, pairs, report }),
      );
      expect(out.length).toBe(count);
      expect(new Set(out.map((p) => JSON.stringify(p.prompt))).size).toBe(prompts);
      expect(report).toMatchObject({ records: 100, yielded: count });
      for (const pair of out) {
        expect(pair.prompt.at(-1)?.role).toBe('user');
        expect(pair.chosen).toHaveLength(1);
        expect(pair.rejected[0].role).toBe('assistant');
        expect(pair.chosen[0].content).not.toBe(pair.rejected[0].content);
      }
    },
  );

  it('prefers the lower rank, and a deeper prompt carries its whole thread', async () => {
    const out = await collect(
      readOasstPreferencePairs({ path: oasstSample, includeSynthetic: true }),
    );
    expect(out[0].id).toBe(
      'fa783ef0-4f4e-457d-b429-afd89edf8757>03334b2a-f315-4a0d-b9ff-ac94e017e266',
    );
    expect(out[0].prompt).toEqual([
      { role: 'user', content: 'How can I find the best 401k plan for my needs?' },
    ]);
    expect(out[0].chosen[0].content).toMatch(/^The first step is to research your options/);
    expect(out[0].group).toBe('054e1df3-35e0-4bb8-a585-607dbdcd24e0');
    const deep = out.find((p) => p.prompt.length >= 3)!;
    expect(deep.prompt.map((m) => m.role).slice(0, 3)).toEqual(['user', 'assistant', 'user']);
  });
});

describe('readPreferencePairs', () => {
  it('reads conversational, string and implicit-prompt rows; counts bad rows by reason', async () => {
    const report = newLoadReport();
    const out = await collect(
      readPreferencePairs({ path: fixture('preference.jsonl'), skipInvalid: true, report }),
    );
    expect(out.map((p) => p.id)).toEqual(['p-0', 'p-1', 'p-2']);
    expect(out[1]).toEqual({
      id: 'p-1',
      prompt: [{ role: 'user', content: "Give me a synonym for 'happy'." }],
      chosen: [{ role: 'assistant', content: 'Joyful.' }],
      rejected: [{ role: 'assistant', content: 'Sad.' }],
    });
    expect(out[2].prompt).toEqual([
      { role: 'system', content: 'Be concise.' },
      { role: 'user', content: '2+2?' },
    ]);
    expect(out[2].chosen).toEqual([{ role: 'assistant', content: '4' }]);
    expect(report.skipped).toEqual({
      'identical replies': 1,
      'missing chosen': 1,
      'roles out of order': 1,
      'empty content': 1,
    });
    await expect(
      collect(readPreferencePairs({ path: fixture('preference.jsonl') })),
    ).rejects.toThrow(/preference\.jsonl:4: rejected equals chosen/);
    expect(
      toPreferencePair({ prompt: 'q', chosen: 'a', rejected: [{ role: 'user', content: 'b' }] }),
    ).toEqual({
      problem: expect.objectContaining({ field: 'rejected[0].role', reason: 'roles out of order' }),
    });
  });

  it('reads Hugging Face Parquet with message-list columns', async () => {
    const pairs = await collect(
      readOasstPreferencePairs({ path: oasstSample, pairs: 'best-worst' }),
    );
    const path = join(dir, 'pairs.parquet');
    const list = (name: string) => [
      { name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', repetition_type: 'OPTIONAL', num_children: 2 },
      { name: 'content', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      { name: 'role', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
    ];
    await parquetWriteFile({
      filename: path,
      schema: [
        { name: 'root', num_children: 4 },
        { name: 'id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
        ...list('prompt'),
        ...list('chosen'),
        ...list('rejected'),
      ] as never,
      columnData: [
        { name: 'id', data: pairs.map((p) => p.id!) },
        { name: 'prompt', data: pairs.map((p) => p.prompt) },
        { name: 'chosen', data: pairs.map((p) => p.chosen) },
        { name: 'rejected', data: pairs.map((p) => p.rejected) },
      ],
    });
    const read = await collect(readPreferencePairs({ path }));
    expect(read).toEqual(pairs.map(({ group: _, ...rest }) => rest));
  });
});

describe('splitPreferencePairs', () => {
  it('keeps every tree on one side; stable and near the fraction', async () => {
    const pairs = await collect(
      readOasstPreferencePairs({ path: oasstSample, includeSynthetic: true }),
    );
    const split = splitPreferencePairs(pairs, { validationFraction: 0.2, salt: 'v1' });
    expect(split.train.length + split.validation.length).toBe(754);
    const trees = (side: PreferencePair[]) => new Set(side.map((p) => p.group));
    const prompts = (side: PreferencePair[]) => new Set(side.map((p) => JSON.stringify(p.prompt)));
    const texts = (side: PreferencePair[]) =>
      new Set(side.flatMap((p) => [...p.prompt, ...p.chosen, ...p.rejected].map((m) => m.content)));
    for (const key of trees(split.validation)) expect(trees(split.train).has(key)).toBe(false);
    for (const key of prompts(split.validation)) expect(prompts(split.train).has(key)).toBe(false);
    const shared = [...texts(split.validation)].filter((t) => texts(split.train).has(t));
    expect(shared).toEqual([]); // not even a reply text crosses over
    const validationTrees = trees(split.validation).size;
    expect(validationTrees).toBeGreaterThan(8);
    expect(validationTrees).toBeLessThan(35);
    expect(splitPreferencePairs(pairs, { validationFraction: 0.2, salt: 'v1' })).toEqual(split);
    expect(() => splitPreferencePairs(pairs, { validationFraction: 2 })).toThrow(
      /validationFraction 2 must be between 0 and 1/,
    );
  });
});
