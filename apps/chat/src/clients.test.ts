// `pnpm chat` as users start it, called by the clients they use unchanged: the official `openai`
// package and the Vercel AI SDK's OpenAI-compatible provider — chat, streaming, /v1/completions,
// 404 for an unknown model and the API key (LMKIT_API_KEY). Then SIGTERM, to the process group
// and to the pnpm wrapper alone: the server must stop and free its port either way. "Stopped" is
// observed without timers: stdout ends only when every process holding it has exited.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { setBackend } from '@lmkit/gpt-model';
import { APICallError, generateText, streamText } from 'ai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTinyCheckpoint } from '../test/tiny-checkpoint.ts';

const repoRoot = new URL('../../../', import.meta.url).pathname;
const apiKey = 'sk-lmkit-test-4242';
let root: string;
let dir: string;

interface Started {
  child: ChildProcess;
  url: string;
  /** Resolves when stdout ends: every process of the tree has exited. */
  ended: Promise<void>;
  output: () => string;
}

/** `pnpm chat` in its own process group, resolved once it prints its URL. */
function startPnpmChat(args: string[]) {
  const child = spawn('pnpm', ['chat', '--checkpoint', dir, '--port', '0', ...args], {
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LMKIT_API_KEY: apiKey },
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const ended = new Promise<void>((resolve) => child.stdout!.on('end', resolve));
  return new Promise<Started>((resolve, reject) => {
    child.stdout!.on('data', () => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) resolve({ child, url: match[1], ended, output: () => output });
    });
    child.on('exit', (code) => reject(new Error(`pnpm chat exited ${code}: ${output}`)));
  });
}

/** SIGKILL for whatever is left of a process group (clean-up after a failed test). */
function killGroup(child: ChildProcess | undefined) {
  try {
    if (child?.pid) process.kill(-child.pid, 'SIGKILL');
  } catch {} // ESRCH: nothing left
}

function portRefuses(url: string) {
  const { hostname, port } = new URL(url);
  return new Promise<boolean>((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

let server: Started;

beforeAll(async () => {
  await setBackend('auto');
  root = mkdtempSync(join(tmpdir(), 'lmkit-chat-clients-'));
  dir = join(root, 'tiny-chat');
  await buildTinyCheckpoint(dir);
  server = await startPnpmChat([]);
}, 120_000);
afterAll(() => {
  killGroup(server?.child);
  rmSync(root, { recursive: true, force: true });
});

describe('the openai client against pnpm chat', () => {
  const client = () => new OpenAI({ baseURL: `${server.url}/v1`, apiKey, maxRetries: 0 });

  it('chats, streams and completes text', async () => {
    const models = [];
    for await (const model of client().models.list()) models.push(model.id);
    expect(models).toEqual(['tiny-chat']);
    const chat = await client().chat.completions.create({
      model: 'tiny-chat',
      messages: [{ role: 'user', content: 'Who art thou?' }],
      max_tokens: 8,
      seed: 3,
    });
    expect(chat.choices[0].finish_reason).toMatch(/^(stop|length)$/);
    expect(chat.usage!.completion_tokens).toBeGreaterThan(0);
    expect(chat.usage!.completion_tokens).toBeLessThanOrEqual(8);
    const stream = await client().chat.completions.create({
      model: 'tiny-chat',
      messages: [{ role: 'user', content: 'Speak.' }],
      max_tokens: 6,
      seed: 3,
      stream: true,
    });
    let finish: string | null = null;
    for await (const chunk of stream) finish = chunk.choices[0]?.finish_reason ?? finish;
    expect(finish).toMatch(/^(stop|length)$/);
    const text = await client().completions.create({
      model: 'tiny-chat',
      prompt: 'ROMEO:',
      max_tokens: 5,
      temperature: 0,
    });
    expect(text.object).toBe('text_completion');
    expect(text.usage).toMatchObject({ completion_tokens: 5 });
    const again = await client().completions.create({
      model: 'tiny-chat',
      prompt: 'ROMEO:',
      max_tokens: 5,
      temperature: 0,
    });
    expect(again.choices[0].text).toBe(text.choices[0].text);
  });

  it('gets 404 for an unknown model and 401 without the key', async () => {
    const unknown = client().chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'hi' }],
    });
    await expect(unknown).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(unknown).rejects.toMatchObject({
      status: 404,
      code: 'model_not_found',
      param: 'model',
    });
    const legacy = client().completions.create({ model: 'davinci-002', prompt: 'x' });
    await expect(legacy).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const wrongKey = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'sk-wrong', maxRetries: 0 });
    const refused = wrongKey.models.list();
    await expect(refused).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    await expect(refused).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
  });
});

describe('the AI SDK OpenAI-compatible provider against pnpm chat', () => {
  const provider = (key = apiKey) =>
    createOpenAICompatible({
      name: 'lmkit',
      baseURL: `${server.url}/v1`,
      apiKey: key,
      includeUsage: true,
    });
  /** The AI SDK's calls without retries: a refused request fails at once. */
  const generate = (options: Parameters<typeof generateText>[0]) =>
    generateText({ ...options, maxRetries: 0 });

  it('generates and streams chat, and completes text through completionModel', async () => {
    const chat = await generate({
      model: provider().chatModel('tiny-chat'),
      prompt: 'Who art thou?',
      maxOutputTokens: 8,
      seed: 5,
    });
    expect(chat.finishReason).toMatch(/^(stop|length)$/);
    expect(chat.usage.outputTokens).toBeGreaterThan(0);
    const streamed = streamText({
      model: provider().chatModel('tiny-chat'),
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Speak.' },
      ],
      maxOutputTokens: 6,
      seed: 5,
      maxRetries: 0,
    });
    let pieces = 0;
    for await (const _piece of streamed.textStream) pieces++;
    expect(await streamed.finishReason).toMatch(/^(stop|length)$/);
    expect((await streamed.usage).outputTokens).toBeGreaterThanOrEqual(pieces > 0 ? 1 : 0);
    const text = await generate({
      model: provider().completionModel('tiny-chat'),
      prompt: 'JULIET:',
      maxOutputTokens: 4,
      temperature: 0,
    });
    expect(text.finishReason).toBe('length');
    expect(text.usage.outputTokens).toBe(4);
  });

  it('surfaces 404 and 401 as API call errors', async () => {
    const unknown = generate({ model: provider().chatModel('gpt-4o'), prompt: 'hi' });
    await expect(unknown).rejects.toSatisfy(
      (error) =>
        APICallError.isInstance(error) &&
        error.statusCode === 404 &&
        /does not exist/.test(error.message),
    );
    const refused = generate({
      model: provider('sk-nope').completionModel('tiny-chat'),
      prompt: 'hi',
    });
    await expect(refused).rejects.toSatisfy(
      (error) => APICallError.isInstance(error) && error.statusCode === 401,
    );
  });
});

describe('stopping pnpm chat', () => {
  it('stops on SIGTERM to the process group and frees the port', async () => {
    process.kill(-server.child.pid!, 'SIGTERM');
    await server.ended;
    expect(server.output()).toMatch(/\[chat\] stopped/);
    expect(server.output()).not.toMatch(/\n\s+at /);
    expect(await portRefuses(server.url)).toBe(true);
  });

  it('stops when only the pnpm wrapper gets SIGTERM, leaving no orphan', async () => {
    const wrapped = await startPnpmChat([]);
    try {
      wrapped.child.kill('SIGTERM');
      await wrapped.ended;
      expect(wrapped.output()).toMatch(/\[chat\] stopped/);
      expect(await portRefuses(wrapped.url)).toBe(true);
    } finally {
      killGroup(wrapped.child);
    }
  }, 60_000);
});
