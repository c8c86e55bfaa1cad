// lmkit-train sft with conversations longer than the context: they are truncated at a turn
// boundary (render's keep 'first-turns'), not skipped; only a conversation with no room for a
// reply is skipped. renderForSft on the byte tokenizer, then the command in process on apps/chat's
// tiny base checkpoint (a BPE without the chat markers, a random 2-layer GPT).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTinyCheckpoint } from '@lmkit/app-chat/test/tiny-checkpoint.ts';
import { type Conversation, parse } from '@lmkit/chat-template';
import { byteTokenizer } from '@lmkit/chat-template/testing';
import { setBackend } from '@lmkit/gpt-model';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { renderForSft, sftCommand } from './sft-command.ts';

const long = (word: string) => `${word} `.repeat(120).trim();
const exchange = (question: string, answer: string): Conversation['messages'] => [
  { role: 'user', content: question },
  { role: 'assistant', content: answer },
];
/** Fits; truncated after its first exchange; first reply cut; no room for a reply. */
const conversations: Conversation[] = [
  { messages: exchange('Hi', 'Hello.') },
  { messages: [...exchange('Hi', 'Hello.'), ...exchange(long('why'), 'Because.')] },
  { messages: [{ role: 'system', content: 'Be kind.' }, ...exchange('Tell me.', long('story'))] },
  { messages: exchange(long('question'), 'Yes.') },
];

describe('renderForSft', () => {
  it('truncates long conversations at a turn boundary and skips only those with no room', () => {
    const tok = byteTokenizer();
    const out = renderForSft(conversations, tok, 64);
    expect(out).toMatchObject({ truncated: 2, cutReplies: 1, skipped: 1 });
    expect(out.examples.map((e) => e.droppedMessages)).toEqual([0, 2, 0]);
    for (const example of out.examples) expect(example.ids.length).toBeLessThanOrEqual(64);
    expect(parse(out.examples[1].ids, tok)).toEqual({
      messages: conversations[1].messages.slice(0, 2),
      complete: true,
    });
    const cut = parse(out.examples[2].ids, tok);
    expect(cut.complete).toBe(false);
    expect(cut.messages[0]).toEqual(conversations[2].messages[0]);
    expect(cut.messages[2].content).toMatch(/^story story/);
    expect(out.examples[2].lossMask.at(-1)).toBe(1);
    // Everything fits in a large enough context: nothing truncated or skipped.
    expect(renderForSft(conversations, tok, 10_000)).toMatchObject({
      truncated: 0,
      cutReplies: 0,
      skipped: 0,
    });
  });
});

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
    const short = Array.from({ length: 6 }, (_, i) => ({
      messages: exchange(`Question ${i}?`, `Answer ${i}.`),
    }));
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
