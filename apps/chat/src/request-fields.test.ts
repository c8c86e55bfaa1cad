// OpenAI request fields: no-op values of fields this server does not implement are accepted (as
// OpenAI's own clients and tools send them), output-changing values are refused, and unknown
// fields such as `top_k` are refused with the list of fields the server reads — never ignored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scriptedEngine } from '../test/helpers.ts';
import { post } from '../test/sse.ts';
import { type ChatServer, startChatServer } from './server.ts';

let server: ChatServer;
const base = { model: 'scripted', messages: [{ role: 'user', content: 'hi' }], max_tokens: 4 };

beforeAll(async () => {
  server = await startChatServer({ engine: scriptedEngine(), port: 0, log: () => {} });
});
afterAll(() => server.close());

const send = (extra: object, path = '/v1/chat/completions') =>
  post(`${server.url}${path}`, { ...base, ...extra });

describe('request fields', () => {
  it.each([
    ['response_format text', { response_format: { type: 'text' } }],
    ['empty logit_bias', { logit_bias: {} }],
    ['zero penalties', { frequency_penalty: 0, presence_penalty: 0 }],
    ['no tools', { tools: [], tool_choice: 'none', parallel_tool_calls: false }],
    ['text modality', { modalities: ['text'] }],
    ['bookkeeping', { user: 'u-1', metadata: { a: 'b' }, store: false, service_tier: 'auto' }],
  ])('accepts %s as a no-op', async (_name, extra) => {
    const response = await send(extra);
    expect(response.status).toBe(200);
    expect((await response.json()).choices[0].message.content).toBe('You ');
  });

  it.each([
    ['json mode', { response_format: { type: 'json_object' } }, 'response_format'],
    ['a bias', { logit_bias: { '50256': -100 } }, 'logit_bias'],
    ['audio out', { modalities: ['text', 'audio'] }, 'modalities'],
    ['a forced tool', { tool_choice: 'required' }, 'tool_choice'],
    ['top_k', { top_k: 40 }, 'top_k'],
    ['a typo', { temprature: 0.5 }, 'temprature'],
  ])('refuses %s', async (_name, extra, param) => {
    const response = await send(extra);
    expect(response.status).toBe(400);
    const { error } = await response.json();
    expect(error.param).toBe(param);
    if (param === 'top_k' || param === 'temprature') {
      expect(error.message).toMatch(
        /^unknown field .*; this server reads model, messages, max_tokens/,
      );
    }
  });

  it('applies the same rules on /v1/completions', async () => {
    const { messages: _messages, ...rest } = base;
    const ok = await post(`${server.url}/v1/completions`, {
      ...rest,
      prompt: 'x',
      logit_bias: {},
      echo: false,
    });
    expect(ok.status).toBe(200);
    const unknown = await post(`${server.url}/v1/completions`, { ...rest, prompt: 'x', top_k: 5 });
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).error.param).toBe('top_k');
  });
});
