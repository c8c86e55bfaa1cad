// The web pages in a real browser (Chromium via playwright-core): type a message and watch the
// reply stream in token by token, stop a reply, read the token view; use the playground.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setBackend } from '@lmkit/gpt-model';
import { encode as cl100kReference } from 'gpt-tokenizer/encoding/cl100k_base';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAiEncodings } from '../src/encodings.ts';
import { loadChatEngine } from '../src/model-engine.ts';
import { type ChatServer, startChatServer } from '../src/server.ts';
import { launchChromium, testOutputDir } from './browser.ts';
import { type ScriptedEngine, scriptedEngine } from './helpers.ts';
import { buildTinyCheckpoint } from './tiny-checkpoint.ts';

let browser: Browser;
let page: Page;
let server: ChatServer;
let engine: ScriptedEngine;

beforeAll(async () => {
  engine = scriptedEngine({ gated: true });
  server = await startChatServer({
    engine,
    port: 0,
    encodings: openAiEncodings(),
    log: () => {},
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const assistantBubble = (page: Page) => page.locator('.message.assistant').last();

describe('chat page', () => {
  it('streams a reply into the page and shows the tokens', async () => {
    await page.goto(server.url);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.getByTestId('model').textContent()).toBe('scripted');
    await page.getByTestId('system').fill('Be kind.');
    await page.getByTestId('temperature').fill('0.3');
    await page.getByTestId('input').fill('hello browser');
    await page.getByTestId('input').press('Enter');
    await page.locator('.message.user').filter({ hasText: 'hello browser' }).waitFor();
    // Half the reply: the bubble shows it while the stream is still open.
    engine.step('You said'.length);
    await page.waitForFunction(
      () => document.querySelector('.message.assistant')?.textContent === 'You said',
    );
    expect(await assistantBubble(page).getAttribute('class')).toContain('streaming');
    expect(await page.getByTestId('stop').isEnabled()).toBe(true);
    engine.step(1000);
    await page.waitForSelector('.message.assistant[data-done="true"]');
    expect(await assistantBubble(page).textContent()).toBe('You said: hello browser');
    expect(await assistantBubble(page).getAttribute('data-finish-reason')).toBe('stop');
    expect(engine.calls.at(-1)?.temperature).toBe(0.3);
    // Token view: the system and user turns are prompt, the reply's bytes and <|im_end|> reply.
    await page.waitForSelector('[data-testid="tokens"] .token.reply');
    const replyTokens = await page.locator('[data-testid="tokens"] .token.reply').count();
    expect(replyTokens).toBe('You said: hello browser'.length + 1);
    const markers = await page.locator('[data-testid="tokens"] .token.special').count();
    expect(markers).toBe(3 * 3); // system, user, assistant turns: <|im_start|> <|im_sep|> <|im_end|>
    expect(await page.getByTestId('token-counts').textContent()).toMatch(/reply/);
    const screenshot = join(testOutputDir, 'chat-page.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(existsSync(screenshot) && statSync(screenshot).size).toBeGreaterThan(1000);
  });

  it('stops a reply with the stop button and frees the model', async () => {
    engine.closeGate();
    await page.getByTestId('input').fill('second question');
    await page.getByTestId('send').click();
    engine.step(3);
    await page.waitForFunction(
      () => document.querySelectorAll('.message.assistant')[1]?.textContent === 'You',
    );
    await page.getByTestId('stop').click();
    await page.waitForSelector('.message.assistant[data-finish-reason="stopped"]');
    expect(await assistantBubble(page).textContent()).toBe('You');
    await expect.poll(() => server.stats().active).toBe(0);
    expect(await page.getByTestId('send').isEnabled()).toBe(true);
    expect(await page.getByTestId('error').isHidden()).toBe(true);
  });
});

describe('tokenizer playground', () => {
  it('shows coloured tokens, ids and counts, and a conversation with markers', async () => {
    await page.goto(`${server.url}/playground`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.getByTestId('text').fill('héllo <|im_end|>');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="char-count"]')?.textContent === '16',
    );
    // The byte tokenizer: é is two tokens, the spelled-out marker is one special token.
    expect(await page.getByTestId('token-count').textContent()).toBe(String(7 + 1));
    expect(await page.getByTestId('ids').textContent()).toBe(
      '104, 195, 169, 108, 108, 111, 32, 259',
    );
    expect(await page.locator('[data-testid="tokens"] .token.special').count()).toBe(1);
    const colours = await page
      .locator('[data-testid="tokens"] .token')
      .evaluateAll(
        (spans) => new Set(spans.map((span) => (span as HTMLElement).style.backgroundColor)).size,
      );
    expect(colours).toBeGreaterThan(1);
    expect(await page.locator('[data-testid="conv-tokens"] .token.special').count()).toBe(9);
    // Switch to cl100k_base: the ids are GPT-4's, and the conversation shows its marker ids.
    await page.getByTestId('encoding').selectOption('cl100k_base');
    await page.getByTestId('text').fill('Hello world');
    const expected = cl100kReference('Hello world').join(', ');
    await page.waitForFunction(
      (ids) => document.querySelector('[data-testid="ids"]')?.textContent === ids,
      expected,
    );
    expect(await page.getByTestId('token-count').textContent()).toBe('2');
    await page.waitForSelector('[data-testid="conv-tokens"] .token[data-id="100264"]');
    await page.screenshot({ path: join(testOutputDir, 'playground.png'), fullPage: true });
  });
});

describe('chat page with a real checkpoint', () => {
  it('streams a reply from a tiny GPT into the page', async () => {
    await setBackend('auto');
    const root = mkdtempSync(join(tmpdir(), 'lmkit-chat-page-'));
    const dir = join(root, 'page-model');
    const real = await (async () => {
      await buildTinyCheckpoint(dir);
      const model = await loadChatEngine({ dir });
      return { model, server: await startChatServer({ engine: model, port: 0, log: () => {} }) };
    })();
    try {
      const tab = await browser.newPage();
      await tab.goto(real.server.url);
      await tab.waitForSelector('body[data-ready="true"]');
      expect(await tab.getByTestId('model').textContent()).toBe('page-model');
      await tab.getByTestId('max-tokens').fill('12');
      await tab.getByTestId('input').fill('Good morrow, sir.');
      await tab.getByTestId('send').click();
      await tab.waitForSelector('.message.assistant[data-done="true"]');
      const bubble = tab.locator('.message.assistant');
      expect(['stop', 'length']).toContain(await bubble.getAttribute('data-finish-reason'));
      expect(await tab.getByTestId('error').isHidden()).toBe(true);
      await tab.waitForSelector('[data-testid="tokens"] .token.reply');
      await tab.screenshot({
        path: join(testOutputDir, 'chat-page-real-model.png'),
        fullPage: true,
      });
    } finally {
      await real.server.close();
      real.model.dispose?.();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
