// The server's sampling defaults (`pnpm chat --temperature --top-k --top-p --max-new-tokens
// --seed`): used for each field a request leaves out, on both completion endpoints; a request's
// own value wins; the default reply length is capped at the room the context leaves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ScriptedEngine, scriptedEngine } from '../test/helpers.ts';
import { post } from '../test/sse.ts';
import { parseCliArgs } from './args.ts';
import { type ChatServer, startChatServer } from './server.ts';

const defaults = { temperature: 0.3, topK: 5, topP: 0.9, maxNewTokens: 6, seed: 7 };
const messages = [{ role: 'user', content: 'hi' }];
let engine: ScriptedEngine;
let server: ChatServer;

beforeAll(async () => {
  engine = scriptedEngine({ endless: true });
  server = await startChatServer({ engine, port: 0, log: () => {}, defaults });
});
afterAll(() => server.close());

async function complete(body: object, path = '/v1/chat/completions') {
  const response = await post(`${server.url}${path}`, { model: 'scripted', ...body });
  expect(response.status).toBe(200);
  return { json: await response.json(), sampling: engine.calls.at(-1)! };
}

describe('sampling defaults', () => {
  it('fill in every field a chat request leaves out', async () => {
    const { json, sampling } = await complete({ messages });
    expect(sampling).toMatchObject({ temperature: 0.3, topK: 5, topP: 0.9, seed: 7 });
    expect(sampling.maxNewTokens).toBe(6);
    expect(json.usage.completion_tokens).toBe(6);
    expect(json.choices[0].finish_reason).toBe('length');
  });

  it("give way to the request's own values", async () => {
    const { json, sampling } = await complete({
      messages,
      temperature: 1.2,
      top_p: 0.5,
      seed: 9,
      max_tokens: 3,
    });
    expect(sampling).toMatchObject({ temperature: 1.2, topP: 0.5, seed: 9, maxNewTokens: 3 });
    expect(sampling.topK).toBe(5);
    expect(json.usage.completion_tokens).toBe(3);
    // top_p 0 is greedy whatever the default temperature.
    expect((await complete({ messages, top_p: 0 })).sampling).toMatchObject({
      temperature: 0,
      topP: 1,
    });
  });

  it('apply to /v1/completions too, in place of its 16-token default', async () => {
    const { json, sampling } = await complete({ prompt: 'Once' }, '/v1/completions');
    expect(sampling).toMatchObject({ ...defaults });
    expect(json.usage.completion_tokens).toBe(6);
    const own = await complete({ prompt: 'Once', max_tokens: 2, seed: 1 }, '/v1/completions');
    expect(own.sampling).toMatchObject({ maxNewTokens: 2, seed: 1, temperature: 0.3 });
  });

  it('cap the default reply length at the room the context leaves, instead of a 400', async () => {
    const small = scriptedEngine({ endless: true, contextTokens: 24 });
    const tight = await startChatServer({
      engine: small,
      port: 0,
      log: () => {},
      defaults: { maxNewTokens: 100 },
      limits: { maxReplyTokens: 200 },
    });
    try {
      const response = await post(`${tight.url}/v1/chat/completions`, {
        model: 'scripted',
        messages,
      });
      expect(response.status).toBe(200);
      const { usage } = await response.json();
      expect(usage.prompt_tokens).toBeLessThan(24);
      expect(small.calls[0].maxNewTokens).toBe(24 - usage.prompt_tokens);
      // A request that asks for more than the room still gets the context error.
      const asked = await post(`${tight.url}/v1/chat/completions`, {
        model: 'scripted',
        messages,
        max_tokens: 100,
      });
      expect(asked.status).toBe(400);
    } finally {
      await tight.close();
    }
  });

  it('leave the built-in behaviour when none are given', async () => {
    const plain = scriptedEngine({ endless: true });
    const open = await startChatServer({ engine: plain, port: 0, log: () => {} });
    try {
      await post(`${open.url}/v1/chat/completions`, { model: 'scripted', messages });
      await post(`${open.url}/v1/chat/completions`, { model: 'scripted', messages });
      const [first, second] = plain.calls;
      expect(first).toMatchObject({ temperature: 1, topP: 1, topK: undefined });
      expect(first.maxNewTokens).toBe(512);
      expect(first.seed).not.toBe(second.seed);
    } finally {
      await open.close();
    }
  });

  it('refuses a default reply length above the per-request limit', async () => {
    await expect(
      startChatServer({ engine, port: 0, defaults: { maxNewTokens: 600 } }),
    ).rejects.toThrow(/maxNewTokens 600 is above maxReplyTokens 512/);
  });

  it('come from the shared sampling flags', () => {
    expect(parseCliArgs([], {}).defaults).toEqual({});
    expect(
      parseCliArgs(
        [
          '--temperature',
          '0.3',
          '--top-k',
          '5',
          '--top-p',
          '0.9',
          '--max-new-tokens',
          '6',
          '--seed',
          '7',
        ],
        {},
      ).defaults,
    ).toEqual(defaults);
    expect(() => parseCliArgs(['--max-new-tokens', '600'], {})).toThrow(
      /--max-new-tokens 600 is above --max-reply-tokens 512/,
    );
    expect(
      parseCliArgs(['--max-new-tokens', '600', '--max-reply-tokens', '800'], {}).defaults,
    ).toEqual({ maxNewTokens: 600 });
    expect(() => parseCliArgs(['--top-k', '0'], {})).toThrow(/--top-k 0: must be at least 1/);
  });
});
