// Thread counts on the real oasst1 sample were computed independently (a 20-line Python walk of the
// same file): all paths with synthetic = 626 (as data/README.md states), and the other cells below.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Conversation,
  checkConversation,
  newLoadReport,
  type OasstMessage,
  readOasstMessages,
  readOasstTrees,
} from './index.ts';

const file = new URL('../../../data/conversations/oasst1-en-100-trees.jsonl', import.meta.url)
  .pathname;
const collect = async (items: AsyncIterable<Conversation>) => {
  const out: Conversation[] = [];
  for await (const item of items) out.push(item);
  return out;
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lmkit-oasst-'));
});

describe('readOasstTrees on the real oasst1 sample', () => {
  it.each([
    ['best', false, false, 95, 313],
    ['best', false, true, 95, 274],
    ['best', true, true, 100, 284],
    ['all', false, false, 609, 2164],
    ['all', false, true, 547, 1810],
    ['all', true, false, 626, 2198],
    ['all', true, true, 564, 1844],
  ] as const)(
    'paths %s, synthetic %s, endWithAssistant %s → %i threads, %i messages',
    async (paths, includeSynthetic, endWithAssistant, threads, messages) => {
      const report = newLoadReport();
      const out = await collect(
        readOasstTrees({ path: file, paths, includeSynthetic, endWithAssistant, report }),
      );
      expect(out.length).toBe(threads);
      expect(out.reduce((sum, c) => sum + c.messages.length, 0)).toBe(messages);
      expect(report.records).toBe(100);
      expect(report.yielded).toBe(threads);
      if (!includeSynthetic) expect(report.skipped['synthetic message']).toBeGreaterThan(0);
      for (const c of out) {
        if (endWithAssistant) expect(checkConversation(c)).toBeUndefined();
        expect(c.messages[0].role).toBe('user');
      }
    },
  );

  it('follows rank 0 on the best path', async () => {
    const [first] = await collect(readOasstTrees({ path: file, includeSynthetic: true }));
    expect(first.messages[0].content).toBe('How can I find the best 401k plan for my needs?');
    expect(first.messages[1].content).toMatch(/^The first step is to research your options/);
    expect(first.id).toBe('fa783ef0-4f4e-457d-b429-afd89edf8757');
  });
});

const msg = (
  id: string,
  role: OasstMessage['role'],
  extra: Partial<OasstMessage> = {},
): OasstMessage => ({
  message_id: id,
  text: `text of ${id}`,
  role,
  ...extra,
});

describe('oasst filtering and bad input', () => {
  it('leaves out deleted and failed-review messages with their replies, counting them', async () => {
    const tree = {
      ...msg('r', 'prompter'),
      replies: [
        { ...msg('a1', 'assistant', { rank: 0, deleted: true }), replies: [msg('u1', 'prompter')] },
        msg('a2', 'assistant', { rank: 1, review_result: false }),
        msg('a3', 'assistant', { rank: 2 }),
      ],
    };
    const path = join(dir, 'filter.jsonl');
    await writeFile(path, `${JSON.stringify({ message_tree_id: 'r', prompt: tree })}\n`);
    const report = newLoadReport();
    const out = await collect(readOasstTrees({ path, paths: 'all', report }));
    expect(out.map((c) => c.id)).toEqual(['a3']);
    expect(report.skipped).toEqual({ 'deleted message': 2, 'failed review': 1 });
  });

  it('names file, line and field for broken JSON and roles out of order; skipInvalid counts them', async () => {
    const good = JSON.stringify({
      prompt: { ...msg('r', 'prompter'), replies: [msg('a', 'assistant')] },
    });
    const badRole = JSON.stringify({
      prompt: { ...msg('r2', 'prompter'), replies: [msg('a2', 'prompter')] },
    });
    const path = join(dir, 'bad.jsonl');
    await writeFile(
      path,
      `${good}\n{"prompt": \n${badRole}\n${JSON.stringify({ prompt: { ...msg('r3', 'prompter'), text: ' ' } })}\n`,
    );
    await expect(collect(readOasstTrees({ path }))).rejects.toThrow(
      /bad\.jsonl:2: line is not valid JSON/,
    );
    const report = newLoadReport();
    const out = await collect(readOasstTrees({ path, skipInvalid: true, report }));
    expect(out.length).toBe(1);
    expect(report.skipped).toEqual({
      'broken JSON': 1,
      'roles out of order': 1,
      'empty content': 1,
    });
    await writeFile(path, `${badRole}\n`);
    await expect(collect(readOasstTrees({ path }))).rejects.toThrow(
      /bad\.jsonl:1: prompt\.replies\[0\]\.role is "prompter" but assistant comes next/,
    );
  });
});

describe('readOasstMessages (flat export)', () => {
  const flatten = (node: OasstMessage, parent: string | null, out: object[], depth = 0) => {
    const { replies, ...rest } = node;
    out.push({ ...rest, parent_id: parent, depth });
    for (const reply of replies ?? []) flatten(reply, node.message_id, out, depth + 1);
    return out;
  };

  it('gives the same threads as the nested export of the same trees, in any line order', async () => {
    const { readFile } = await import('node:fs/promises');
    const trees = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .slice(0, 30)
      .map((l) => JSON.parse(l).prompt);
    const nestedPath = join(dir, 'nested.jsonl');
    await writeFile(nestedPath, trees.map((t) => JSON.stringify({ prompt: t })).join('\n'));
    // Deepest first (children before parents); siblings keep their order, so ties rank alike.
    const flat = trees.flatMap((t) => flatten(t, null, [])) as { depth: number }[];
    flat.sort((a, b) => b.depth - a.depth);
    const flatPath = join(dir, 'flat.jsonl');
    await writeFile(flatPath, flat.map((m) => JSON.stringify(m)).join('\n'));
    for (const paths of ['best', 'all'] as const) {
      const nested = await collect(readOasstTrees({ path: nestedPath, paths }));
      const fromFlat = await collect(readOasstMessages({ path: flatPath, paths }));
      const key = (c: Conversation) => c.id ?? '';
      expect([...fromFlat].sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
        [...nested].sort((a, b) => key(a).localeCompare(key(b))),
      );
    }
  });

  it('reports orphans, cycles and duplicate ids by line; skipInvalid keeps the rest', async () => {
    const lines = [
      { ...msg('r', 'prompter'), parent_id: null },
      { ...msg('a', 'assistant'), parent_id: 'r' },
      { ...msg('o', 'assistant'), parent_id: 'ghost' },
      { ...msg('c1', 'prompter'), parent_id: 'c2' },
      { ...msg('c2', 'assistant'), parent_id: 'c1' },
      { ...msg('a', 'assistant'), parent_id: 'r' },
    ];
    const path = join(dir, 'flat-bad.jsonl');
    await writeFile(path, lines.map((m) => JSON.stringify(m)).join('\n'));
    await expect(collect(readOasstMessages({ path }))).rejects.toThrow(
      /flat-bad\.jsonl:6: message_id "a" repeats line 2/,
    );
    await writeFile(
      path,
      lines
        .slice(0, 5)
        .map((m) => JSON.stringify(m))
        .join('\n'),
    );
    await expect(collect(readOasstMessages({ path }))).rejects.toThrow(
      /flat-bad\.jsonl:3: parent_id "ghost" names no message/,
    );
    await writeFile(path, [0, 1, 3, 4].map((i) => JSON.stringify(lines[i])).join('\n'));
    await expect(collect(readOasstMessages({ path }))).rejects.toThrow(
      /flat-bad\.jsonl:3: parent_id "c2" leads around a cycle/,
    );
    await writeFile(path, lines.map((m) => JSON.stringify(m)).join('\n'));
    const report = newLoadReport();
    const out = await collect(readOasstMessages({ path, skipInvalid: true, report }));
    expect(out.map((c) => c.id)).toEqual(['a']);
    expect(report.skipped).toEqual({
      'duplicate message_id': 1,
      'orphan message': 1,
      'parent cycle': 2,
    });
  });
});
