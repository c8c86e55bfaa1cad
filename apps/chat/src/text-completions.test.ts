// POST /v1/completions (OpenAI's legacy text completions) on a chat engine and on a base engine
// (no chat markers), the context errors of both endpoints, and a quiet shutdown.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scriptedEngine } from '../test/helpers.ts';
import { post, readEvents } from '../test/sse.ts';
import { type ChatServer, startChatServer } from './server.ts';

/** The scripted engine with its chat template taken away: what a pretrained-only checkpoint is. */
function baseEngine() {
  const engine = scriptedEngine({ reply: () => ' to be, that is the question' });
  return Object.assign(engine, { chat: false, modelId: 'base' });
}

let server: ChatServer;
let base: ChatServer;
const engine = scriptedEngine({ reply: (ids) => `[${ids.length} tokens]`, contextTokens: 64 });

beforeAll(async () => {
  server = await startChatServer({
    engine,
    port: 0,
    limits: { maxReplyTokens: 32 },
    log: () => {},
  });
  base = await startChatServer({ engine: baseEngine(), port: 0, log: () => {} });
});
afterAll(async () => {
  await server.close();
  await base.close();
});

describe('/v1/completions', () => {
  it('continues a prompt with the text_completion shape and default max_tokens 16', async () => {
    const response = await post(`${base.url}/v1/completions`, {
      model: 'base',
      prompt: 'To be, or not',
    });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({
      object: 'text_completion',
      model: 'base',
      choices: [{ index: 0, text: ' to be, that is ', logprobs: null, finish_reason: 'length' }],
      usage: { prompt_tokens: 13, completion_tokens: 16, total_tokens: 29 },
    });
    expect(body.id).toMatch(/^cmpl-/);
  });

  it('streams text_completion chunks, echoes the prompt and takes token ids', async () => {
    const response = await post(`${base.url}/v1/completions`, {
      model: 'base',
      prompt: [[84, 111]],
      echo: true,
      max_tokens: 40,
      stream: true,
      stream_options: { include_usage: true },
    });
    const events = await readEvents(response);
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event));
    expect(chunks.every((chunk) => chunk.object === 'text_completion')).toBe(true);
    const text = chunks.map((chunk) => chunk.choices[0]?.text ?? '').join('');
    expect(text).toBe('To to be, that is the question');
    expect(chunks.at(-2).choices[0].finish_reason).toBe('stop');
    expect(chunks.at(-1).usage).toMatchObject({ prompt_tokens: 2 });
  });

  it('serves chat models too, with the prompt as plain text', async () => {
    const response = await post(`${server.url}/v1/completions`, {
      model: 'scripted',
      prompt: 'abc',
      max_tokens: 32,
      temperature: 0,
    });
    const body = await response.json();
    expect(body.choices[0]).toMatchObject({ text: '[3 tokens]', finish_reason: 'stop' });
  });

  it('refuses a base model on the chat endpoint with a 404 naming /v1/completions', async () => {
    const response = await post(`${base.url}/v1/chat/completions`, {
      model: 'base',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(response.status).toBe(404);
    const { error } = await response.json();
    expect(error).toMatchObject({ code: 'model_not_chat', param: 'model' });
    expect(error.message).toMatch(/POST \/v1\/completions/);
  });

  it('validates the prompt and the legacy-only fields', async () => {
    const cases: [object, string][] = [
      [{ model: 'scripted' }, 'prompt'],
      [{ model: 'scripted', prompt: ['a', 'b'] }, 'prompt'],
      [{ model: 'scripted', prompt: [1, 9999] }, 'prompt'],
      [{ model: 'scripted', prompt: 'a', suffix: 'z' }, 'suffix'],
      [{ model: 'scripted', prompt: 'a', best_of: 3 }, 'best_of'],
      [{ model: 'scripted', prompt: 'a', logprobs: 2 }, 'logprobs'],
      [{ model: 'scripted', prompt: 'a', temperature: 3 }, 'temperature'],
    ];
    for (const [body, param] of cases) {
      const response = await post(`${server.url}/v1/completions`, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect((await response.json()).error.param).toBe(param);
    }
    const unknown = await post(`${server.url}/v1/completions`, {
      model: 'gpt-3.5-turbo-instruct',
      prompt: 'a',
    });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe('model_not_found');
  });
});

describe('context errors', () => {
  it('says how many tokens are left, never a negative number', async () => {
    const long = 'x'.repeat(80);
    const full = await post(`${server.url}/v1/chat/completions`, {
      model: 'scripted',
      messages: [{ role: 'user', content: long }],
    });
    expect(full.status).toBe(400);
    const fullError = (await full.json()).error;
    expect(fullError.code).toBe('context_length_exceeded');
    expect(fullError.message).toMatch(
      /context is 64 tokens and the messages take \d+, leaving no room/,
    );
    expect(fullError.message).not.toMatch(/-\d/);
    const over = await post(`${server.url}/v1/completions`, {
      model: 'scripted',
      prompt: 'y'.repeat(40),
      max_tokens: 30,
    });
    const overError = (await over.json()).error;
    expect(overError.message).toMatch(
      /the prompt take 40 and max_tokens asks for 30 more, but only 24 are left: lower max_tokens to 24/,
    );
  });
});

describe('shutdown', () => {
  it('answers waiting requests with 503 and logs no stack trace', async () => {
    const lines: string[] = [];
    const gated = scriptedEngine({ gated: true });
    const quiet = await startChatServer({
      engine: gated,
      port: 0,
      log: (line) => lines.push(line),
    });
    const body = {
      model: 'scripted',
      messages: [{ role: 'user', content: 'wait' }],
      max_tokens: 8,
    };
    const running = post(`${quiet.url}/v1/chat/completions`, { ...body, stream: true });
    const waiting = [1, 2, 3].map(() => post(`${quiet.url}/v1/chat/completions`, body));
    await (await running).body!.getReader().read();
    while (quiet.stats().waiting < 3) await new Promise((resolve) => setImmediate(resolve));
    await quiet.close();
    expect((await Promise.all(waiting)).map((response) => response.status)).toEqual([
      503, 503, 503,
    ]);
    expect(lines.join('\n')).not.toMatch(/\n\s+at /);
    expect(lines.filter((line) => / 503 /.test(line))).toHaveLength(3);
  });
});
