import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Conversation, newLoadReport, readChatJsonl } from './index.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lmkit-chat-'));
});
const collect = async (items: AsyncIterable<Conversation>) => {
  const out: Conversation[] = [];
  for await (const item of items) out.push(item);
  return out;
};
const line = (messages: unknown) => JSON.stringify({ messages });

describe('readChatJsonl', () => {
  it('reads OpenAI/HF messages, keeping reasoning_content as reasoning and joining text parts', async () => {
    const path = join(dir, 'chat.jsonl');
    await writeFile(
      path,
      [
        line([
          { role: 'system', content: 'Be brief.' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Hi ' },
              { type: 'text', text: 'there' },
            ],
          },
          { role: 'assistant', content: 'Hello', reasoning_content: 'greet back' },
        ]),
        '',
        line([
          { role: 'user', content: '2+2?' },
          { role: 'assistant', content: '<think>\nadd them\n</think>\n\n4' },
        ]),
      ].join('\r\n'),
    );
    const [a, b] = await collect(readChatJsonl({ path, splitThink: true }));
    expect(a.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi there' },
      { role: 'assistant', content: 'Hello', reasoning: 'greet back' },
    ]);
    expect(b.messages[1]).toEqual({ role: 'assistant', content: '4', reasoning: 'add them' });
    const [, raw] = await collect(readChatJsonl({ path }));
    expect(raw.messages[1].content).toMatch(/^<think>/);
  });

  it.each([
    ['missing messages', '{"text": "x"}', /:1: messages is missing/],
    ['unknown role', line([{ role: 'bot', content: 'x' }]), /:1: messages\[0\]\.role is "bot"/],
    [
      'roles out of order',
      line([
        { role: 'user', content: 'a' },
        { role: 'user', content: 'b' },
      ]),
      /messages\[1\]\.role is user but assistant comes next/,
    ],
    [
      'late system',
      line([
        { role: 'user', content: 'a' },
        { role: 'system', content: 'b' },
      ]),
      /messages\[1\]\.role is system/,
    ],
    ['empty content', line([{ role: 'user', content: '  ' }]), /messages\[0\]\.content is empty/],
    ['missing content', line([{ role: 'user' }]), /messages\[0\]\.content is missing/],
    ['empty conversation', line([]), /messages is empty/],
    ['broken JSON', '{"messages": [', /:1: line is not valid JSON/],
  ])('rejects %s naming file, line and field', async (reason, text, pattern) => {
    const path = join(dir, 'bad.jsonl');
    await writeFile(path, `${text}\n${line([{ role: 'user', content: 'fine' }])}\n`);
    await expect(collect(readChatJsonl({ path }))).rejects.toThrow(pattern);
    await expect(collect(readChatJsonl({ path }))).rejects.toThrow(/bad\.jsonl:1:/);
    const report = newLoadReport();
    const out = await collect(readChatJsonl({ path, skipInvalid: true, report }));
    expect(out.length).toBe(1);
    expect(report).toEqual({
      records: 2,
      yielded: 1,
      skipped: { [reason === 'late system' ? 'roles out of order' : reason]: 1 },
    });
  });

  it('reads .gz and .zst files, including a zstd stream written by the zstd CLI', async () => {
    const text = `${line([{ role: 'user', content: 'gz' }])}\n`.repeat(3);
    const gz = join(dir, 'c.jsonl.gz');
    await writeFile(gz, gzipSync(text));
    expect((await collect(readChatJsonl({ path: gz }))).length).toBe(3);
    const cli = new URL('./__fixtures__/cli-stream.jsonl.zst', import.meta.url).pathname;
    const out = await collect(readChatJsonl({ path: cli }));
    expect(out.map((c) => c.messages[0].content)).toEqual(new Array(3).fill('zstd from the CLI'));
  });
});
