// distill() against a local OpenAI-protocol server that injects faults per prompt: 429 with
// Retry-After, 500s, a body or event stream cut mid-reply, a hung request, empty, truncated and
// duplicate replies, reasoning_content. Waits between retries go through an injected sleep that
// records them (no real sleeping); the request timeout is real (3 s, waited out once by the hung request).
import { once } from 'node:events';
import { appendFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readChatJsonl } from '@lmkit/datasets';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { distill } from './distill.ts';
import { retryAfterMs } from './teacher-client.ts';

type Behaviour = (res: ServerResponse, attempt: number, stream: boolean) => void;

const chunk = (content: string, finish: string | null, reasoning?: string) =>
  `data: ${JSON.stringify({
    choices: [
      { index: 0, delta: { content, reasoning_content: reasoning }, finish_reason: finish },
    ],
  })}\n\n`;

/** Answers like an OpenAI server: one JSON body, or SSE chunks of a few characters then [DONE]. */
function answer(
  res: ServerResponse,
  stream: boolean,
  content: string,
  finish = 'stop',
  reasoning?: string,
  reasoningField = 'reasoning_content',
) {
  if (!stream) {
    const message = {
      role: 'assistant',
      content,
      ...(reasoning ? { [reasoningField]: reasoning } : {}),
    };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id: 'x',
        object: 'chat.completion',
        choices: [{ index: 0, message, finish_reason: finish }],
      }),
    );
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  if (reasoning && reasoningField === 'reasoning_content') res.write(chunk('', null, reasoning));
  // vLLM and OpenRouter name it `reasoning`, sent in pieces.
  else if (reasoning)
    for (const part of reasoning.split(' '))
      res.write(
        `data: ${JSON.stringify({ choices: [{ index: 0, delta: { reasoning: `${part} ` }, finish_reason: null }] })}\n\n`,
      );
  for (let i = 0; i < content.length; i += 4) res.write(chunk(content.slice(i, i + 4), null));
  res.end(`${chunk('', finish)}data: [DONE]\n\n`);
}

const behaviours: Record<string, Behaviour> = {
  plain: (res, _, stream) => answer(res, stream, 'A plain answer.'),
  think: (res, _, stream) =>
    answer(res, stream, 'Paris.', 'stop', 'The capital of France is Paris.'),
  vllm: (res, _, stream) =>
    answer(res, stream, 'Four.', 'stop', 'Two plus two is four.', 'reasoning'),
  limited: (res, attempt, stream) => {
    if (attempt === 1) {
      res.writeHead(429, { 'retry-after': '7', 'content-type': 'application/json' });
      res.end('{"error":{"message":"rate limited"}}');
    } else answer(res, stream, 'Answer after a rate limit.');
  },
  flaky: (res, attempt, stream) => {
    if (attempt <= 2) {
      res.writeHead(500);
      res.end('boom');
    } else answer(res, stream, 'Answer after two 500s.');
  },
  cut: (res, attempt, stream) => {
    if (attempt > 1) return answer(res, stream, 'Answer after a cut.');
    if (stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk('Half an ans', null));
    } else {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '200' });
      res.write('{"choices":[{"message":{"content":"Half an ans');
    }
    setImmediate(() => res.socket?.destroy());
  },
  hang: (res, attempt, stream) => {
    if (attempt > 1) answer(res, stream, 'Answer after a timeout.');
    // attempt 1: never answers; the client's timeout ends it
  },
  empty: (res, _, stream) => answer(res, stream, '   '),
  long: (res, _, stream) => answer(res, stream, 'This reply was cut by max_tok', 'length'),
  'dup-a': (res, _, stream) => answer(res, stream, 'The same  reply.'),
  'dup-b': (res, _, stream) => answer(res, stream, ' The same reply.'),
  down: (res) => {
    res.writeHead(503, { 'retry-after-ms': '5' });
    res.end();
  },
  refused: (res) => {
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end('{"error":{"message":"prompt too long"}}');
  },
};

let server: Server;
let baseUrl: string;
const attempts = new Map<string, number>();
const bodies: Record<string, unknown>[] = [];
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lmkit-distill-'));
  server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    for await (const part of req) text += part;
    const body = JSON.parse(text);
    bodies.push({ ...body, authorization: req.headers.authorization });
    const name = body.messages.at(-1).content as string;
    const attempt = (attempts.get(name) ?? 0) + 1;
    attempts.set(name, attempt);
    behaviours[name](res, attempt, body.stream);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});
beforeEach(() => {
  attempts.clear();
  bodies.length = 0;
});

const promptsFile = async (name: string, prompts: string[]) => {
  const path = join(dir, `${name}.jsonl`);
  await writeFile(path, prompts.map((p) => JSON.stringify({ id: p, prompt: p })).join('\n'));
  return path;
};
const options = (input: string, output: string, waits: number[], stream: boolean) => ({
  input,
  output,
  baseUrl,
  model: 'teacher',
  apiKey: 'sk-test',
  stream,
  concurrency: 3,
  timeoutMs: 3000, // long enough for a loaded machine; the hung request waits it out once
  maxRetries: 3,
  backoffMs: 100,
  body: { max_tokens: 64, temperature: 0 },
  sleep: async (ms: number) => void waits.push(ms),
  random: () => 0.5,
});

describe.each([false, true])('distill (stream %s)', (stream) => {
  it('retries through faults, keeps reasoning, counts every reply it sets aside', async () => {
    const names = [
      'plain',
      'think',
      'vllm',
      'limited',
      'flaky',
      'cut',
      'hang',
      'empty',
      'long',
      'dup-a',
      'dup-b',
      'refused',
    ];
    const input = await promptsFile(`faults-${stream}`, names);
    const output = join(dir, `faults-${stream}.out.jsonl`);
    const waits: number[] = [];
    const report = await distill(options(input, output, waits, stream));
    expect(report).toMatchObject({ prompts: 12, alreadyDone: 0, kept: 8, failed: 0, retries: 5 });
    expect(report.rejected).toEqual({
      'empty reply': 1,
      'truncated reply': 1,
      'duplicate reply': 1,
      'request refused (HTTP 400)': 1,
    });
    expect(waits).toContain(7000); // Retry-After: 7
    expect(waits.filter((ms) => ms === 100).length).toBe(3); // first retries of 500, cut, hang
    expect(waits).toContain(200); // the second 500: backoff doubled
    expect(attempts.get('flaky')).toBe(3);
    expect(attempts.get('refused')).toBe(1);
    expect(bodies[0]).toMatchObject({
      model: 'teacher',
      max_tokens: 64,
      temperature: 0,
      stream,
      authorization: 'Bearer sk-test',
    });

    const conversations = [];
    for await (const c of readChatJsonl({ path: output })) conversations.push(c);
    const byPrompt = new Map(conversations.map((c) => [c.messages[0].content, c.messages[1]]));
    const keptNames = [...byPrompt.keys()].sort();
    // Of the two identical replies, whichever came back first is kept.
    expect(keptNames.filter((n) => !n.startsWith('dup-'))).toEqual([
      'cut',
      'flaky',
      'hang',
      'limited',
      'plain',
      'think',
      'vllm',
    ]);
    expect(keptNames.filter((n) => n.startsWith('dup-')).length).toBe(1);
    expect(byPrompt.get('think')).toEqual({
      role: 'assistant',
      content: 'Paris.',
      reasoning: 'The capital of France is Paris.',
    });
    expect(byPrompt.get('vllm')?.reasoning?.trim()).toBe('Two plus two is four.');
    expect(byPrompt.get('cut')?.content).toBe('Answer after a cut.');
    const rejected = (await readFile(`${output}.rejected.jsonl`, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rejected.map((r) => r.reason).sort()).toEqual([
      'duplicate reply',
      'empty reply',
      'request refused (HTTP 400)',
      'truncated reply',
    ]);
  });
});

describe('distill resumes', () => {
  it('a rerun asks only what is unanswered, after repairing a torn last line', async () => {
    const input = await promptsFile('resume', ['plain', 'think', 'down', 'empty']);
    const output = join(dir, 'resume.out.jsonl');
    const waits: number[] = [];
    const first = await distill({ ...options(input, output, waits, false), maxRetries: 1 });
    expect(first).toMatchObject({ kept: 2, failed: 1, rejected: { 'empty reply': 1 } });
    expect(waits).toEqual([5]); // retry-after-ms: 5
    // A kill mid-write leaves half a line; 'down' recovers.
    await appendFile(output, '{"id":"half');
    behaviours.down = (res) => answer(res, false, 'Up again.');
    attempts.clear();
    const second = await distill(options(input, output, [], false));
    expect(second).toMatchObject({ prompts: 4, alreadyDone: 3, kept: 1, failed: 0, rejected: {} });
    expect([...attempts.keys()]).toEqual(['down']);
    const lines = (await readFile(output, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id).sort()).toEqual(['down', 'plain', 'think']);
  });

  it('stops with one clear error when the endpoint refuses the model or key', async () => {
    behaviours.nokey = (res) => {
      res.writeHead(401);
      res.end('{"error":{"message":"invalid api key"}}');
    };
    const input = await promptsFile('nokey', ['nokey']);
    await expect(distill(options(input, join(dir, 'nokey.out.jsonl'), [], false))).rejects.toThrow(
      /answered HTTP 401: .*invalid api key.*; check --base-url, --model and --api-key/,
    );
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs(new Headers({ 'retry-after': '3' }), now)).toBe(3000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:10 GMT' }), now)).toBe(
      10_000,
    );
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }), now)).toBe(
      250,
    );
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
  });
});
