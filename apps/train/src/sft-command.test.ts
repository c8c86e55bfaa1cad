// lmkit-train sft with conversations longer than the context: they are truncated at a turn
// boundary (render's keep 'first-turns'), not skipped; only a conversation with no room for a
// reply is skipped. The command in process on apps/chat's tiny base checkpoint (a BPE without the
// chat markers, a random 2-layer GPT); renderForSft itself is tested in @lmkit/chat-template.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTinyCheckpoint } from '@lmkit/app-chat/test/tiny-checkpoint.ts';
import type { Conversation } from '@lmkit/chat-template';
import { setBackend } from '@lmkit/gpt-model';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { sftCommand } from './sft-command.ts';

const long = (word: string) => `${word} `.repeat(120).trim();
/** Alternating user and assistant messages, after a system message when one is given. */
const chat = (texts: string[], system?: string): Conversation => ({
  messages: [
    ...(system === undefined ? [] : [{ role: 'system' as const, content: system }]),
    ...texts.map((content, i) => ({
      role: i % 2 ? ('assistant' as const) : ('user' as const),
      content,
    })),
  ],
});
// Fits; truncated after its first exchange; first reply cut mid-reply; no room for a reply.
const conversations = [
  chat(['Hi', 'Hello.']),
  chat(['Hi', 'Hello.', long('why'), 'Because.']),
  chat(['Tell me.', long('story')], 'Be kind.'),
  chat([long('question'), 'Yes.']),
];

describe('lmkit-train sft', () => {
  let base: string;
  beforeAll(async () => {
    await setBackend('cpu');
    // A base checkpoint: its tokenizer has no chat markers, so sft adds them and grows the model.
    base = mkdtempSync(join(tmpdir(), 'lmkit-train-sft-base-'));
    await buildTinyCheckpoint(base, { blockSize: 96, base: true });
  });

  it('trains on truncated conversations and logs how many were truncated and skipped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lmkit-train-sft-'));
    const file = join(dir, 'chats.jsonl');
    const short = Array.from({ length: 6 }, (_, i) => chat([`Question ${i}?`, `Answer ${i}.`]));
    writeFileSync(
      file,
      `${[...conversations, ...short].map((c) => JSON.stringify(c)).join('\n')}\n`,
    );
    const written: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const flags = {
        base,
        conversations: file,
        out: join(dir, 'run'),
        'val-fraction': 0.01,
        'sequence-length': 48,
        'max-steps': 1,
        'batch-size': 2,
        backend: 'cpu',
        'eval-every': 100,
      };
      const code = await sftCommand(
        Object.entries(flags).flatMap(([name, value]) => [`--${name}`, String(value)]),
      );
      expect(code).toBe(0);
      expect(JSON.parse(String(log.mock.calls.at(-1)?.[0])).steps).toBe(1);
    } finally {
      write.mockRestore();
      log.mockRestore();
    }
    expect(written.join('')).toMatch(
      /longer than 49 tokens: 2 truncated at a turn boundary \(1 with the first reply cut mid-reply\), 1 skipped \(no room for a reply\)/,
    );
  });
});
