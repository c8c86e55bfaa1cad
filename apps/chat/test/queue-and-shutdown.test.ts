// The generation queue seen from clients: requests served in turn, 429 with Retry-After when
// the line is full, a disconnect freeing its slot at once, and a clean shutdown mid-stream.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ChatServer, startChatServer } from '../src/server.ts';
import { scriptedEngine } from './helpers.ts';
import { post, readEvents } from './sse.ts';

const hello = [{ role: 'user', content: 'hello' }];
let server: ChatServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Reads an SSE body until the first content delta arrives. */
async function firstContent(reader: ReadableStreamDefaultReader<Uint8Array>) {
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes('"content":"Y')) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended early: ${text}`);
    text += decoder.decode(value, { stream: true });
  }
  return text;
}

describe('generation queue', () => {
  it('serves requests in turn and answers 429 with Retry-After when the line is full', async () => {
    const engine = scriptedEngine({ gated: true });
    server = await startChatServer({ engine, port: 0, limits: { maxWaiting: 1 }, log: () => {} });
    const url = `${server.url}/v1/chat/completions`;
    const first = await post(url, { model: 'scripted', messages: hello, stream: true });
    expect(first.status).toBe(200); // headers arrive once it holds the slot
    const second = post(url, { model: 'scripted', messages: [{ role: 'user', content: 'two' }] });
    await vi.waitFor(() => expect(server!.stats().waiting).toBe(1));
    const third = await post(url, { model: 'scripted', messages: hello });
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await third.json()).error).toMatchObject({
      type: 'rate_limit_error',
      code: 'queue_full',
    });
    engine.step(1000);
    const events = await readEvents(first);
    expect(events.at(-1)).toBe('[DONE]');
    const body = await (await second).json();
    expect(body.choices[0].message.content).toBe('You said: two');
    expect(server.stats()).toMatchObject({ active: 0, waiting: 0, served: 2, rejected: 1 });
  });

  it('frees the slot at once when a streaming client disconnects', async () => {
    const engine = scriptedEngine({ gated: true, endless: true, contextTokens: 20_000 });
    server = await startChatServer({
      engine,
      port: 0,
      limits: { maxReplyTokens: 10_000 },
      log: () => {},
    });
    const url = `${server.url}/v1/chat/completions`;
    const controller = new AbortController();
    const response = await post(
      url,
      { model: 'scripted', messages: hello, stream: true, max_tokens: 10_000 },
      { signal: controller.signal },
    );
    engine.step(1);
    await firstContent(response.body!.getReader());
    controller.abort();
    // The engine is stuck mid-step (its gate is closed), yet the slot is free.
    await vi.waitFor(() => expect(server!.stats().active).toBe(0));
    const next = post(url, {
      model: 'scripted',
      messages: [{ role: 'user', content: 'next' }],
      max_tokens: 3,
    });
    engine.step(100);
    const body = await (await next).json();
    expect(body.choices[0].message.content).toBe('You');
    // The abandoned generation was closed too, not left running.
    await vi.waitFor(() => expect(engine.closed).toBe(2));
  });

  it('frees the slot when a non-streaming client disconnects mid-generation', async () => {
    const engine = scriptedEngine({ gated: true, endless: true });
    server = await startChatServer({ engine, port: 0, log: () => {} });
    const controller = new AbortController();
    const pending = post(
      `${server.url}/v1/chat/completions`,
      { model: 'scripted', messages: hello, max_tokens: 500 },
      { signal: controller.signal },
    );
    await vi.waitFor(() => expect(engine.calls).toHaveLength(1));
    engine.step(5);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await vi.waitFor(() => expect(server!.stats()).toMatchObject({ active: 0, served: 1 }));
  });

  it('drops a waiting request whose client leaves, without serving it', async () => {
    const engine = scriptedEngine({ gated: true });
    server = await startChatServer({ engine, port: 0, log: () => {} });
    const url = `${server.url}/v1/chat/completions`;
    const first = await post(url, { model: 'scripted', messages: hello, stream: true });
    const controller = new AbortController();
    const waiting = post(
      url,
      { model: 'scripted', messages: hello },
      { signal: controller.signal },
    );
    await vi.waitFor(() => expect(server!.stats().waiting).toBe(1));
    controller.abort();
    await expect(waiting).rejects.toThrow();
    await vi.waitFor(() => expect(server!.stats().waiting).toBe(0));
    engine.step(1000);
    await readEvents(first);
    expect(engine.calls).toHaveLength(1);
  });
});

describe('shutdown', () => {
  it('ends running streams, refuses waiting requests and closes the port', async () => {
    const engine = scriptedEngine({ gated: true, endless: true });
    const running = await startChatServer({ engine, port: 0, log: () => {} });
    const url = `${running.url}/v1/chat/completions`;
    const stream = await post(url, { model: 'scripted', messages: hello, stream: true });
    const waiting = post(url, { model: 'scripted', messages: hello });
    await vi.waitFor(() => expect(running.stats().waiting).toBe(1));
    await running.close();
    const events = await readEvents(stream);
    expect(events.at(-1)).toBe('[DONE]');
    expect(JSON.parse(events.at(-2)!).error.message).toMatch(/shutting down/);
    const refused = await waiting;
    expect(refused.status).toBe(503);
    await expect(fetch(`${running.url}/health`)).rejects.toThrow();
  });
});
