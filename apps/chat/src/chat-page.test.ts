// The chat page in Chromium (playwright-core) on models with a small context: ten turns without
// an error (older turns left out, max tokens capped to the room left), a failed turn taken back
// with the user's text restored, field validation, byte tokens in hex, and a 390 px phone screen.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setBackend } from '@lmkit/gpt-model';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, testOutputDir } from '../test/browser.ts';
import { scriptedEngine } from '../test/helpers.ts';
import { buildTinyCheckpoint } from '../test/tiny-checkpoint.ts';
import { loadChatEngine } from './model-engine.ts';
import { type ChatServer, startChatServer } from './server.ts';

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

async function openChat(server: ChatServer, viewport = { width: 1280, height: 800 }) {
  const page = await browser.newPage({ viewport });
  await page.goto(server.url);
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}

/** Sends one message and waits until the turn is settled: a finished reply, or an error. */
async function say(page: Page, text: string) {
  const done = await page.locator('.message.assistant[data-done="true"]').count();
  await page.getByTestId('input').fill(text);
  await page.getByTestId('send').click();
  await page.waitForFunction(
    (count) =>
      document.querySelectorAll('.message.assistant[data-done="true"]').length > count ||
      !(document.querySelector('[data-testid="error"]') as HTMLElement | null)?.hidden,
    done,
    { timeout: 60_000 },
  );
}

describe('chat page on a small context', () => {
  it('holds a ten-turn conversation with a tiny GPT of 64 tokens of context', async () => {
    await setBackend('auto');
    const root = mkdtempSync(join(tmpdir(), 'lmkit-chat-turns-'));
    const dir = join(root, 'small-context');
    await buildTinyCheckpoint(dir, { blockSize: 64 });
    const engine = await loadChatEngine({ dir });
    const lines: string[] = [];
    const server = await startChatServer({ engine, port: 0, log: (line) => lines.push(line) });
    try {
      const page = await openChat(server);
      await page.getByTestId('max-tokens').fill('24');
      for (let turn = 1; turn <= 10; turn++) {
        await say(page, `Turn ${turn}: what news from Verona, good sir?`);
        expect(
          await page.getByTestId('error').isHidden(),
          (await page.getByTestId('error').textContent()) ?? '',
        ).toBe(true);
      }
      expect(await page.locator('.message.assistant[data-done="true"]').count()).toBe(10);
      expect(await page.locator('.message.user').count()).toBe(10);
      expect(await page.getByTestId('note').textContent()).toMatch(
        /earlier messages? left out to fit the model's context/,
      );
      // Every request fitted: ten 200s in the access log, no 400.
      const completions = lines.filter((line) => line.includes('POST /v1/chat/completions'));
      expect(completions).toHaveLength(10);
      expect(completions.every((line) => / 200 in=\d+ out=\d+ /.test(line))).toBe(true);
      for (const line of completions) {
        const [, promptTokens, replyTokens] = / in=(\d+) out=(\d+) /.exec(line)!.map(Number);
        expect(promptTokens + replyTokens).toBeLessThanOrEqual(64);
      }
      await page.screenshot({ path: join(testOutputDir, 'chat-ten-turns.png'), fullPage: true });
    } finally {
      await server.close();
      engine.dispose?.();
      rmSync(root, { recursive: true, force: true });
    }
  }, 180_000);

  it('takes back a failed turn, validates max tokens and shows byte tokens in hex', async () => {
    const engine = scriptedEngine({ contextTokens: 80 });
    const server = await startChatServer({ engine, port: 0, log: () => {} });
    try {
      const page = await openChat(server);
      // A message longer than the whole context: refused, bubbles gone, text back in the box.
      const long = 'x'.repeat(120);
      await say(page, long);
      expect(await page.getByTestId('error').textContent()).toMatch(
        /takes \d+ tokens.*context is 80: shorten it/,
      );
      expect(await page.locator('.message').count()).toBe(0);
      expect(await page.getByTestId('input').inputValue()).toBe(long);
      expect(engine.calls).toHaveLength(0);
      // Invalid max tokens: said so, nothing sent; empty means "as many as fit", never 0.
      await page.getByTestId('max-tokens').fill('-3');
      await say(page, 'hi');
      expect(await page.getByTestId('error').textContent()).toMatch(
        /Max tokens must be a whole number/,
      );
      expect(await page.getByTestId('max-tokens').getAttribute('aria-invalid')).toBe('true');
      expect(engine.calls).toHaveLength(0);
      await page.getByTestId('max-tokens').fill('');
      await say(page, 'héllo');
      expect(await page.getByTestId('error').isHidden()).toBe(true);
      expect(engine.calls).toHaveLength(1);
      const maxNewTokens = engine.calls[0].maxNewTokens;
      expect(maxNewTokens).toBeGreaterThan(0);
      const rendered = engine.render([{ role: 'user', content: 'héllo' }], {
        addGenerationPrompt: true,
      });
      expect(maxNewTokens).toBe(80 - rendered.ids.length);
      expect(await page.locator('.message.assistant').textContent()).toBe('You said: héllo');
      // é is two byte tokens: shown as <C3> and <A9>, as the CLI shows them.
      await page.waitForSelector('[data-testid="tokens"] .token.bytes');
      const bytes = await page.locator('[data-testid="tokens"] .token.bytes').allTextContents();
      expect(bytes.slice(0, 2)).toEqual(['<C3>', '<A9>']);
    } finally {
      await server.close();
    }
  });

  it('fits a 390 px phone screen without horizontal scrolling', async () => {
    const server = await startChatServer({ engine: scriptedEngine(), port: 0, log: () => {} });
    try {
      const page = await openChat(server, { width: 390, height: 844 });
      await say(page, `A long word: ${'supercalifragilistic'.repeat(6)}`);
      for (const path of ['/', '/playground']) {
        if (path !== '/') {
          await page.goto(`${server.url}${path}`);
          await page.waitForSelector('body[data-ready="true"]');
        }
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        expect(width, path).toBeLessThanOrEqual(390);
      }
      await page.goto(server.url);
      await page.waitForSelector('body[data-ready="true"]');
      await page.screenshot({ path: join(testOutputDir, 'chat-page-390px.png'), fullPage: true });
    } finally {
      await server.close();
    }
  });
});
