// The official `openai` npm client, unchanged, pointed at our server: completions with and
// without streaming, usage, stop, and errors surfacing as the client's typed exceptions.
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatServer, startChatServer } from '../src/server.ts';
import { scriptedEngine } from './helpers.ts';

let server: ChatServer;
let client: OpenAI;

beforeAll(async () => {
  server = await startChatServer({
    engine: scriptedEngine(),
    port: 0,
    limits: { maxWaiting: 0, maxReplyTokens: 32 },
    log: () => {},
  });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'not-needed', maxRetries: 0 });
});
afterAll(() => server.close());

describe('openai client', () => {
  it('lists the model', async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model.id);
    expect(models).toEqual(['scripted']);
  });

  it('creates a completion', async () => {
    const completion = await client.chat.completions.create({
      model: 'scripted',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'ping' },
      ],
      temperature: 0,
      max_tokens: 32,
    });
    expect(completion.choices[0].message.content).toBe('You said: ping');
    expect(completion.choices[0].finish_reason).toBe('stop');
    expect(completion.usage?.completion_tokens).toBe('You said: ping'.length + 1);
  });

  it('streams a completion', async () => {
    const stream = await client.chat.completions.create({
      model: 'scripted',
      messages: [{ role: 'user', content: 'stream me' }],
      stream: true,
      stream_options: { include_usage: true },
      stop: ['me'],
      seed: 1,
    });
    let text = '';
    let finish: string | null = null;
    let chunks = 0;
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe('You said: stream ');
    expect(finish).toBe('stop');
    expect(chunks).toBeGreaterThan(3);
    expect(usage?.total_tokens).toBe((usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0));
  });

  it('streams with the client helper and collects the final message', async () => {
    const runner = client.chat.completions.stream({
      model: 'scripted',
      messages: [{ role: 'user', content: 'helper' }],
      max_tokens: 5,
    });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0].message.content).toBe('You s');
    expect(final.choices[0].finish_reason).toBe('length');
  });

  it('surfaces errors as the client exceptions', async () => {
    const unknown = client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'hi' }],
    });
    await expect(unknown).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(unknown).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
    const tooMany = client.chat.completions.create({
      model: 'scripted',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 33,
    });
    await expect(tooMany).rejects.toMatchObject({ status: 400, param: 'max_tokens' });
  });
});
