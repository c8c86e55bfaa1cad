// distill() with our own chat server as the teacher: a tiny seeded random checkpoint (the chat
// app's test helper builds it) served by startChatServer, asked streamed and not. The replies are
// gibberish, but they are the server's: they come back through the real OpenAI protocol, with
// finish reasons the filters act on, and a rerun asks nothing twice.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadChatEngine } from '@lmkit/app-chat/src/model-engine.ts';
import { type ChatServer, startChatServer } from '@lmkit/app-chat/src/server.ts';
import { buildTinyCheckpoint } from '@lmkit/app-chat/test/tiny-checkpoint.ts';
import { setBackend } from '@lmkit/gpt-model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distill } from './distill.ts';

let root: string;
let server: ChatServer;
let engine: Awaited<ReturnType<typeof loadChatEngine>>;

beforeAll(async () => {
  await setBackend('cpu'); // tiny model: the pure-JS backend is quick and the same everywhere
  root = mkdtempSync(join(tmpdir(), 'lmkit-distill-teacher-'));
  const dir = join(root, 'tiny-teacher');
  await buildTinyCheckpoint(dir);
  engine = await loadChatEngine({ dir });
  server = await startChatServer({ engine, port: 0, log: () => {} });
});
afterAll(async () => {
  await server?.close();
  engine?.dispose?.();
  rmSync(root, { recursive: true, force: true });
});

describe('distill from our chat server', () => {
  it.each([false, true])(
    'stream %s: answers every prompt once, filtering by finish reason',
    async (stream) => {
      const input = join(root, `prompts-${stream}.jsonl`);
      const prompts = ['Speak, friend.', 'What say you?', 'Who goes there?', 'Good morrow.'];
      writeFileSync(
        input,
        prompts.map((prompt, i) => JSON.stringify({ id: `q${i}`, prompt })).join('\n'),
      );
      const output = join(root, `out-${stream}.jsonl`);
      const options = {
        input,
        output,
        baseUrl: `${server.url}/v1`,
        model: 'tiny-teacher',
        stream,
        concurrency: 2,
        body: { max_tokens: 6, temperature: 1, seed: 3 },
      };
      const report = await distill(options);
      expect(report.prompts).toBe(4);
      expect(report.failed).toBe(0);
      // A random model rarely stops within 6 tokens: most replies end by length and are set aside.
      const setAside = Object.values(report.rejected).reduce((a, b) => a + b, 0);
      expect(report.kept + setAside).toBe(4);
      const kept = readFileSync(output, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
      const rejected = readFileSync(`${output}.rejected.jsonl`, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
      expect([...kept, ...rejected].map((r) => r.id).sort()).toEqual(['q0', 'q1', 'q2', 'q3']);
      for (const row of rejected) {
        expect(row.reason).toBe(
          row.finish_reason === 'length'
            ? 'truncated reply'
            : row.content.trim() === ''
              ? 'empty reply'
              : 'duplicate reply',
        );
      }
      for (const row of kept) {
        expect(row.teacher).toEqual({ model: 'tiny-teacher', finish_reason: 'stop' });
        expect(row.messages.at(-1).role).toBe('assistant');
      }
      // The recorded reply is the server's own answer for that prompt and seed.
      const direct = await fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'tiny-teacher',
          messages: [{ role: 'user', content: prompts[0] }],
          ...options.body,
        }),
      }).then((r) => r.json() as Promise<{ choices: { message: { content: string } }[] }>);
      const recorded =
        kept.find((r) => r.id === 'q0')?.messages.at(-1).content ??
        rejected.find((r) => r.id === 'q0').content;
      expect(recorded).toBe(direct.choices[0].message.content);
      expect(recorded.length).toBeGreaterThan(0);
      const again = await distill(options);
      expect(again).toMatchObject({ prompts: 4, alreadyDone: 4, kept: 0 });
    },
  );
});
