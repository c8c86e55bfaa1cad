// The playground's OpenAI encodings, read by @lmkit/bpe from the rank files on disk, against the
// gpt-tokenizer reference; and the token API around them (counts, specials, markers, errors).
import { encode as cl100kReference } from 'gpt-tokenizer/encoding/cl100k_base';
import { encode as o200kReference } from 'gpt-tokenizer/encoding/o200k_base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAiEncodings } from '../src/encodings.ts';
import { type ChatServer, startChatServer } from '../src/server.ts';
import { scriptedEngine } from './helpers.ts';
import { post } from './sse.ts';

const samples = [
  'Hello world',
  '  indented\n\tcode(x) { return x ** 2; } // 12345678',
  'Ünïcödé, 日本語のテキスト, emoji 👩‍👩‍👧 and   spaces',
];
let server: ChatServer;

beforeAll(async () => {
  server = await startChatServer({
    engine: scriptedEngine(),
    encodings: openAiEncodings(),
    port: 0,
    log: () => {},
  });
});
afterAll(() => server.close());

async function tokenize(encoding: string, text: string) {
  return (await post(`${server.url}/api/tokenize`, { encoding, text })).json();
}

describe('playground encodings', () => {
  it('lists the checkpoint tokenizer, cl100k_base and o200k_base', async () => {
    const { encodings } = await (await fetch(`${server.url}/api/encodings`)).json();
    expect(encodings.map((encoding: { name: string }) => encoding.name)).toEqual([
      'checkpoint',
      'cl100k_base',
      'o200k_base',
    ]);
  });

  it.each(samples)('cl100k_base and o200k_base match the reference on %j', async (text) => {
    const cl100k = await tokenize('cl100k_base', text);
    expect(cl100k.tokens.map((token: { id: number }) => token.id)).toEqual(cl100kReference(text));
    expect(cl100k.count).toBe(cl100kReference(text).length);
    const o200k = await tokenize('o200k_base', text);
    expect(o200k.tokens.map((token: { id: number }) => token.id)).toEqual(o200kReference(text));
  });

  it('shows special tokens spelled out in the text as one token', async () => {
    const result = await tokenize('cl100k_base', 'a<|endoftext|>b');
    expect(result.tokens).toContainEqual({ id: 100257, text: '<|endoftext|>', special: true });
  });

  it('renders a conversation with the chat markers in any encoding', async () => {
    const messages = [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello there' },
    ];
    const rendered = await (
      await post(`${server.url}/api/render`, { messages, encoding: 'cl100k_base' })
    ).json();
    const ids = rendered.tokens.map((token: { id: number }) => token.id);
    expect(ids.filter((id: number) => id === 100264)).toHaveLength(2); // <|im_start|>
    expect(ids.filter((id: number) => id === 100265)).toHaveLength(2); // <|im_end|>
    const reply = rendered.tokens.filter((token: { reply: boolean }) => token.reply);
    expect(reply.map((token: { text: string }) => token.text).join('')).toBe(
      'Hello there<|im_end|>',
    );
  });

  it('rejects an unknown encoding naming the choices', async () => {
    const response = await post(`${server.url}/api/tokenize`, { encoding: 'p50k', text: 'x' });
    expect(response.status).toBe(400);
    expect((await response.json()).error.message).toMatch(/checkpoint, cl100k_base, o200k_base/);
  });
});
