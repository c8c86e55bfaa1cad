// The server never crashes on input: seeded random mutations of a valid request (wrong types,
// huge numbers, missing fields, truncated JSON) get 200 or a 4xx with an OpenAI error body, never
// a 5xx; raw garbage on the socket gets a 400; the server stays healthy throughout.
import { connect } from 'node:net';
import { SeededRandom } from '@lmkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatServer, startChatServer } from '../src/server.ts';
import { scriptedEngine } from './helpers.ts';
import { post } from './sse.ts';

const oddValues: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER + 2,
  '',
  'x',
  '<|im_end|>',
  '\u0000\uD800',
  [],
  [null],
  [{}],
  {},
  { role: 'user' },
  { type: 'text' },
  'assistant',
  'tool',
  [{ role: 'user', content: [{ type: 'text', text: 1 }] }],
  [{ role: 'user', content: null }],
];
const fields = [
  'model',
  'messages',
  'max_tokens',
  'temperature',
  'top_p',
  'stop',
  'seed',
  'n',
  'stream',
  'stream_options',
  'max_completion_tokens',
  'logprobs',
  'tools',
];

let server: ChatServer;
beforeAll(async () => {
  server = await startChatServer({
    engine: scriptedEngine(),
    port: 0,
    limits: { maxBodyBytes: 8192 },
    log: () => {},
  });
});
afterAll(() => server.close());

describe('fuzzed requests', () => {
  it('answers 300 mutated bodies with 200 or an OpenAI-style 4xx, never a 5xx', async () => {
    // Seeded, so a failure reproduces.
    const generator = new SeededRandom(20261128);
    const next = () => generator.next();
    const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)];
    const statuses = new Map<number, number>();
    for (let index = 0; index < 300; index++) {
      const body: Record<string, unknown> = {
        model: 'scripted',
        messages: [{ role: 'user', content: 'fuzz' }],
        max_tokens: 3,
      };
      for (let change = 0; change < 1 + Math.floor(next() * 3); change++) {
        const field = pick(fields);
        if (next() < 0.2) delete body[field];
        else body[field] = pick(oddValues);
      }
      let text = JSON.stringify(body);
      if (next() < 0.15) text = text.slice(0, Math.floor(next() * text.length));
      const response = await post(`${server.url}/v1/chat/completions`, text);
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      expect(response.status, text).toBeLessThan(500);
      const raw = await response.text();
      if (response.status >= 400) {
        const error = JSON.parse(raw).error;
        expect(typeof error.message, text).toBe('string');
        expect(error.type, text).toBe('invalid_request_error');
      }
    }
    expect(statuses.get(200)).toBeGreaterThan(0);
    expect(statuses.get(400)).toBeGreaterThan(0);
    expect(server.stats()).toMatchObject({ active: 0, waiting: 0 });
  });

  it('answers odd paths and methods without a 5xx', async () => {
    for (const path of [
      '//v1/models',
      '/v1/models/%E0%A4%A',
      '/v1/models/..%2f..',
      '/%00',
      '/api/tokenize',
    ]) {
      for (const method of ['GET', 'POST', 'DELETE', 'PATCH']) {
        const response = await fetch(`${server.url}${path}`, {
          method,
          body: method === 'GET' ? undefined : '{',
        });
        expect(response.status, `${method} ${path}`).toBeLessThan(500);
        await response.arrayBuffer();
      }
    }
  });

  it('answers garbage on the socket with 400 and keeps serving', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(server.port, '127.0.0.1', () =>
        socket.write('NOT HTTP AT ALL\r\n\r\n'),
      );
      let text = '';
      socket.on('data', (chunk) => (text += chunk));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});
