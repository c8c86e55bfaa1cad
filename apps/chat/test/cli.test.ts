// `pnpm chat` as a process: --help, a clear exit without a checkpoint, bad flags, and a real run
// on a tiny checkpoint that serves requests and shuts down cleanly on SIGTERM mid-stream.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setBackend } from '@lmkit/gpt-model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exposureWarning, parseCliArgs } from '../src/args.ts';
import { post } from './sse.ts';
import { buildTinyCheckpoint } from './tiny-checkpoint.ts';

const repoRoot = new URL('../../../', import.meta.url).pathname;
const cli = new URL('../src/cli.ts', import.meta.url).pathname;
let dir: string;

function start(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', cli, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

/** Resolves with the URL the server prints, or rejects with its output if it exits first. */
function listeningUrl(run: ReturnType<typeof start>) {
  return new Promise<string>((resolve, reject) => {
    const check = () => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(run.output().stdout);
      if (match) resolve(match[1]);
    };
    run.child.stdout!.on('data', check);
    run.exited.then((code) => reject(new Error(`exited ${code}: ${run.output().stderr}`)));
  });
}

beforeAll(async () => {
  await setBackend('auto');
  dir = join(mkdtempSync(join(tmpdir(), 'lmkit-chat-cli-')), 'cli-model');
  await buildTinyCheckpoint(dir);
});
afterAll(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

describe('chat CLI', () => {
  it('prints its help, and exits 1 saying how to get a checkpoint', async () => {
    // Both processes at once: each start pays for Node, tsx and TensorFlow.js imports.
    const help = start(['--help']);
    const missing = start(['--checkpoint', join(dir, '..', 'missing')]);
    expect(await help.exited).toBe(0);
    expect(help.output().stdout).toMatch(/--checkpoint PATH/);
    expect(help.output().stdout).toMatch(/--host H/);
    expect(await missing.exited).toBe(1);
    expect(missing.output().stderr).toMatch(/pnpm speedrun/);
  });

  it('rejects bad flags naming the flag and the range', () => {
    expect(() => parseCliArgs(['--port', '99999'])).toThrow(/--port 99999: must be at most 65535/);
    expect(() => parseCliArgs(['--backend', 'gpu'])).toThrow(/--backend gpu/);
    expect(() => parseCliArgs(['--nope'])).toThrow(/^unknown flag --nope\.$/);
    expect(() => parseCliArgs(['--max-tokens', '64'])).toThrow(
      /--max-tokens is now --max-reply-tokens/,
    );
    expect(parseCliArgs(['--max-reply-tokens', '64']).limits.maxReplyTokens).toBe(64);
    expect(parseCliArgs([])).toMatchObject({ host: '127.0.0.1', port: 8000, backend: 'auto' });
  });

  it('reads the API key, CORS origins and allowed hosts', () => {
    expect(parseCliArgs([], {})).toMatchObject({
      apiKey: undefined,
      corsOrigins: [],
      allowedHosts: [],
    });
    expect(parseCliArgs([], { LMKIT_API_KEY: 'sk-env' }).apiKey).toBe('sk-env');
    expect(parseCliArgs(['--api-key', 'sk-flag'], { LMKIT_API_KEY: 'sk-env' }).apiKey).toBe(
      'sk-flag',
    );
    const parsed = parseCliArgs(
      ['--cors', 'https://a.example', '--cors', '*', '--allowed-host', 'chat.lan'],
      {},
    );
    expect(parsed).toMatchObject({
      corsOrigins: ['https://a.example', '*'],
      allowedHosts: ['chat.lan'],
    });
    expect(() => parseCliArgs(['--cors', 'a.example/path'], {})).toThrow(
      /--cors a\.example\/path is not an origin/,
    );
    expect(() => parseCliArgs(['--api-key', ' '], {})).toThrow(/--api-key is empty/);
  });

  it('warns when the host is not loopback', () => {
    expect(exposureWarning('127.0.0.1')).toBeUndefined();
    expect(exposureWarning('localhost')).toBeUndefined();
    expect(exposureWarning('::1')).toBeUndefined();
    expect(exposureWarning('0.0.0.0')).toMatch(/exposes this server/);
    expect(exposureWarning('192.168.1.5')).toMatch(/--host 127\.0\.0\.1/);
  });

  it('serves a checkpoint and shuts down cleanly on SIGTERM mid-stream', async () => {
    const run = start([
      ...['--checkpoint', dir, '--port', '0', '--max-reply-tokens', '100'],
      ...['--max-new-tokens', '3', '--seed', '11', '--temperature', '1'],
    ]);
    let child: ChildProcess | undefined = run.child;
    try {
      const url = await listeningUrl(run);
      const models = await (await fetch(`${url}/v1/models`)).json();
      expect(models.data[0].id).toBe('cli-model');
      const page = await fetch(`${url}/`);
      expect(await page.text()).toMatch(/<title>lmkit chat<\/title>/);
      // The sampling flags are the defaults of requests that leave the fields out: the same
      // seed twice gives the same reply, and --max-new-tokens caps its length.
      const unset = async () => {
        const reply = await post(`${url}/v1/completions`, { model: 'cli-model', prompt: 'To be' });
        return (await reply.json()) as {
          choices: { text: string }[];
          usage: { completion_tokens: number };
        };
      };
      const [once, twice] = [await unset(), await unset()];
      expect(once.usage.completion_tokens).toBeLessThanOrEqual(3);
      expect(once.usage.completion_tokens).toBeGreaterThan(0);
      expect(twice.choices[0].text).toBe(once.choices[0].text);
      const response = await post(`${url}/v1/chat/completions`, {
        model: 'cli-model',
        messages: [{ role: 'user', content: 'Tell me a long story.' }],
        max_tokens: 100,
        stream: true,
      });
      const reader = response.body!.getReader();
      let text = new TextDecoder().decode((await reader.read()).value);
      run.child.kill('SIGTERM');
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
      expect(await run.exited).toBe(0);
      child = undefined;
      expect(run.output().stderr).toMatch(/SIGTERM/);
      await expect(fetch(`${url}/health`)).rejects.toThrow();
    } finally {
      child?.kill('SIGKILL');
    }
  });
});
