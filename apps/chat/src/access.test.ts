// Who may call the server: Host (DNS rebinding), Origin (same origin or --cors) and the API key,
// plus the x-request-id header and the access log every response gets. Requests go through
// node:http so the Host and Origin headers are exactly what a browser or an attacker would send.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scriptedEngine } from '../test/helpers.ts';
import { allowedHostNames, hostName } from './access.ts';
import { type ChatServer, startChatServer } from './server.ts';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(
  server: ChatServer,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string },
) {
  return new Promise<Reply>((resolve, reject) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port: server.port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.headers,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode!, headers: response.headers, body }),
        );
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

const chatBody = JSON.stringify({
  model: 'scripted',
  messages: [{ role: 'user', content: 'hi' }],
  max_tokens: 4,
});

/** A chat completion request (max_tokens 4) with these headers. */
function postChat(server: ChatServer, headers: Record<string, string>) {
  return send(server, { method: 'POST', path: '/v1/chat/completions', headers, body: chatBody });
}

describe('host names', () => {
  it('reads the name of a Host header and the names a bound address answers to', () => {
    expect(hostName('LocalHost:8000')).toBe('localhost');
    expect(hostName('[::1]:8000')).toBe('::1');
    expect(hostName('example.com')).toBe('example.com');
    expect([...(allowedHostNames('127.0.0.1')?.names ?? [])].sort()).toEqual([
      '127.0.0.1',
      '::1',
      'localhost',
    ]);
    expect(allowedHostNames('10.0.0.5', ['chat.lan'])?.names).toEqual(
      new Set(['10.0.0.5', 'chat.lan']),
    );
    expect(allowedHostNames('0.0.0.0')?.anyIp).toBe(true);
    expect(allowedHostNames('127.0.0.1', ['*'])).toBeNull();
  });
});

describe('access checks', () => {
  const engine = scriptedEngine();
  const lines: string[] = [];
  let open: ChatServer;
  let keyed: ChatServer;

  beforeAll(async () => {
    open = await startChatServer({
      engine,
      port: 0,
      corsOrigins: ['https://app.example'],
      log: (line) => lines.push(line),
    });
    keyed = await startChatServer({
      engine,
      port: 0,
      apiKey: 'sk-test-secret-1234',
      allowedHosts: ['chat.lan'],
      log: () => {},
    });
  });
  afterAll(async () => {
    await open.close();
    await keyed.close();
  });

  it('gives every response an x-request-id and one access-log line', async () => {
    const before = lines.length;
    const reply = await postChat(open, { 'content-type': 'application/json' });
    expect(reply.status).toBe(200);
    const missing = await send(open, { path: '/nowhere' });
    expect(missing.status).toBe(404);
    const ids = [reply.headers['x-request-id'], missing.headers['x-request-id']];
    expect(ids[0]).toMatch(/^req_[0-9a-f]{32}$/);
    expect(ids[1]).toMatch(/^req_[0-9a-f]{32}$/);
    expect(ids[0]).not.toBe(ids[1]);
    const logged = lines.slice(before);
    expect(logged).toHaveLength(2);
    // The reply "You said: hi" is 12 tokens, cut at max_tokens 4.
    expect(logged[0]).toMatch(
      new RegExp(`^\\[chat\\] POST /v1/chat/completions 200 in=\\d+ out=4 \\d+ms ${ids[0]}$`),
    );
    expect(logged[1]).toMatch(new RegExp(`^\\[chat\\] GET /nowhere 404 \\d+ms ${ids[1]}$`));
  });

  it.each<{ what: string; headers: Record<string, string>; code: string; fix: RegExp }>([
    {
      what: 'a Host that is not the server (DNS rebinding)',
      headers: { host: 'evil.example:8000' },
      code: 'host_not_allowed',
      fix: /--allowed-host evil\.example/,
    },
    {
      what: 'a foreign Origin',
      headers: { origin: 'https://attacker.example' },
      code: 'origin_not_allowed',
      fix: /--cors https:\/\/attacker\.example/,
    },
  ])('refuses a text/plain POST from $what before any generation', async (refused) => {
    const calls = engine.calls.length;
    const reply = await postChat(open, { ...refused.headers, 'content-type': 'text/plain' });
    expect(reply.status).toBe(403);
    expect(JSON.parse(reply.body).error).toMatchObject({
      code: refused.code,
      type: 'invalid_request_error',
      message: expect.stringMatching(refused.fix),
    });
    expect(engine.calls.length).toBe(calls);
  });

  it('answers to its own names and --allowed-host ones, and refuses the null Origin', async () => {
    expect(
      (await send(open, { path: '/health', headers: { host: 'localhost:1234' } })).status,
    ).toBe(200);
    expect((await send(keyed, { path: '/health', headers: { host: 'chat.lan' } })).status).toBe(
      200,
    );
    const nullOrigin = await send(open, { path: '/v1/models', headers: { origin: 'null' } });
    expect(nullOrigin.status).toBe(403);
  });

  it('lets the same origin and a --cors origin in, with CORS headers and preflights for the latter', async () => {
    const same = await send(open, {
      path: '/v1/models',
      headers: { origin: `http://127.0.0.1:${open.port}`, host: `127.0.0.1:${open.port}` },
    });
    expect(same.status).toBe(200);
    expect(same.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await send(open, {
      method: 'OPTIONS',
      path: '/v1/chat/completions',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers).toMatchObject({
      'access-control-allow-origin': 'https://app.example',
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': 'authorization, content-type',
      vary: 'origin',
    });
    const call = await postChat(open, {
      origin: 'https://app.example',
      'content-type': 'application/json',
    });
    expect(call.status).toBe(200);
    expect(call.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(call.headers['access-control-expose-headers']).toMatch(/x-request-id/);
  });

  it('requires the API key on the API routes, in OpenAI error shapes', async () => {
    const missing = await send(keyed, { path: '/v1/models' });
    expect(missing.status).toBe(401);
    expect(JSON.parse(missing.body)).toEqual({
      error: {
        message: expect.stringMatching(/^You didn't provide an API key/),
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
    const wrong = await send(keyed, {
      path: '/v1/models',
      headers: { authorization: 'Bearer sk-wrong-key-9999' },
    });
    expect(wrong.status).toBe(401);
    const body = JSON.parse(wrong.body);
    expect(body.error.code).toBe('invalid_api_key');
    expect(body.error.message).toMatch(/sk-\*+9999/);
    expect(body.error.message).not.toMatch(/sk-wrong-key/);
    const right = await send(keyed, {
      path: '/v1/models',
      headers: { authorization: 'Bearer sk-test-secret-1234' },
    });
    expect(right.status).toBe(200);
    // The pages and the health check stay open; the token APIs behind the pages do not.
    expect((await send(keyed, { path: '/' })).status).toBe(200);
    expect((await send(keyed, { path: '/health' })).status).toBe(200);
    expect((await send(keyed, { path: '/api/encodings' })).status).toBe(401);
  });
});

describe('binding', () => {
  it('reports a port in use in one line with the fix', async () => {
    const first = await startChatServer({ engine: scriptedEngine(), port: 0, log: () => {} });
    try {
      const second = startChatServer({ engine: scriptedEngine(), port: first.port, log: () => {} });
      await expect(second).rejects.toThrow(
        new RegExp(
          `^port ${first.port} on 127\\.0\\.0\\.1 is already in use .*--port 0 picks one\\)$`,
        ),
      );
      await expect(second).rejects.toMatchObject({ name: 'BindError' });
    } finally {
      await first.close();
    }
  });

  it('reports an address that is not this machine in one line', async () => {
    const failed = startChatServer({
      engine: scriptedEngine(),
      host: '192.0.2.1',
      port: 0,
      log: () => {},
    });
    await expect(failed).rejects.toThrow(
      /^cannot bind 192\.0\.2\.1:0: 192\.0\.2\.1 is not an address of this machine; pass --host 127\.0\.0\.1/,
    );
  });
});
