// End to end in Chromium (headless, SwiftShader's WebGPU adapter): the studio page opens a tiny
// checkpoint served by `lmkit-studio`, chats with it, fine-tunes it for 20 SFT steps that lower its
// loss, and downloads it; the downloaded folder passes the manifest check and gives the tab's logits
// on Node's cpu backend. Skipped, naming the path, without Chromium, except under CI, which has it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadGPT2, setBackend, verifyCheckpoint } from '@lmkit/gpt-model';
import type { Download } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTinyCheckpoint } from '../../chat/test/tiny-checkpoint.ts';
import { type Studio, startStudio } from '../src/server.ts';
import { chromiumMissing, launchWebGpuChromium } from './chromium.ts';

const missing = chromiumMissing('the studio browser test');

/** Short, regular conversations: a 2-layer model learns their replies within 20 steps. */
function conversationsJsonl(): string {
  const rows: string[] = [];
  for (let i = 0; i < 12; i++) {
    const name = ['Romeo', 'Juliet', 'Hamlet', 'Lear'][i % 4];
    rows.push(
      JSON.stringify({
        messages: [
          { role: 'user', content: `Who speaks? ${name}` },
          { role: 'assistant', content: `${name} speaks.` },
        ],
      }),
    );
  }
  rows.push('not json at all');
  return `${rows.join('\n')}\n`;
}

interface StudioWindow {
  lmkitStudio: {
    ready: boolean;
    busy: boolean;
    error?: string;
    losses: number[];
    lastLogits(ids: number[]): Promise<number[]>;
  };
}

describe.skipIf(missing !== undefined)(
  `the studio tab on WebGPU${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'lmkit-studio-'));
    const checkpoint = join(dir, 'checkpoint');
    const downloads = join(dir, 'downloaded');
    const conversations = join(dir, 'conversations.jsonl');
    let studio: Studio;
    beforeAll(async () => {
      await setBackend('cpu', { nativeKernels: false });
      await buildTinyCheckpoint(checkpoint, { blockSize: 64 });
      writeFileSync(conversations, conversationsJsonl());
      studio = await startStudio({ checkpoint, port: 0 });
    }, 120_000);
    afterAll(async () => {
      await studio?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('chats, fine-tunes 20 steps with a falling loss, and downloads a checkpoint Node reads back', async () => {
      const browser = await launchWebGpuChromium();
      try {
        const page = await browser.newPage({ acceptDownloads: true });
        const pageErrors: string[] = [];
        page.on('pageerror', (error) => pageErrors.push(error.message));
        await page.goto(studio.url);
        await page.waitForFunction(
          () => (globalThis as unknown as StudioWindow).lmkitStudio?.ready,
          undefined,
          { timeout: 120_000 },
        );
        const state = () =>
          page.evaluate(() => {
            const { busy, error, losses } = (globalThis as unknown as StudioWindow).lmkitStudio;
            return { busy, error, losses: [...losses] };
          });
        expect((await state()).error).toBeUndefined();
        expect(await page.textContent('#status')).toContain('WebGPU');
        expect(await page.textContent('#checkpoint')).toContain('2 layers');

        // Chat: a reply bubble fills, the conversation keeps both turns.
        await page.fill('#prompt', 'Who speaks? Romeo');
        await page.click('#send');
        await page.waitForFunction(
          () => !(globalThis as unknown as StudioWindow).lmkitStudio.busy,
          undefined,
          { timeout: 120_000 },
        );
        expect((await state()).error).toBeUndefined();
        expect(await page.locator('#messages li.user').count()).toBe(1);
        expect(await page.locator('#messages li.assistant').count()).toBe(1);

        // Fine-tune: 20 steps on the conversations file; the bad line is counted, not fatal.
        await page.setInputFiles('#conversations', conversations);
        await page.fill('#steps', '20');
        await page.fill('#learning-rate', '0.003');
        await page.click('#train');
        await page.waitForFunction(
          () => {
            const studio = (globalThis as unknown as StudioWindow).lmkitStudio;
            return !studio.busy && studio.losses.length > 0;
          },
          undefined,
          { timeout: 240_000 },
        );
        const { losses, error } = await state();
        expect(error).toBeUndefined();
        expect(losses).toHaveLength(20);
        const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
        expect(mean(losses.slice(-5))).toBeLessThan(mean(losses.slice(0, 5)) * 0.9);
        expect(await page.textContent('#train-status')).toContain('1 lines skipped');
        expect(await page.locator('#loss-plot polyline').getAttribute('points')).toMatch(/,.* /);

        // Download: four files, the usual checkpoint folder.
        const saved: Promise<void>[] = [];
        const names: string[] = [];
        page.on('download', (download: Download) => {
          names.push(download.suggestedFilename());
          saved.push(download.saveAs(join(downloads, download.suggestedFilename())));
        });
        await page.click('#download');
        await page.waitForFunction(() => !(globalThis as unknown as StudioWindow).lmkitStudio.busy);
        await expect.poll(() => names.length, { timeout: 60_000 }).toBe(4);
        await Promise.all(saved);
        expect(names.sort()).toEqual([
          'config.json',
          'manifest.json',
          'model.safetensors',
          'tokenizer.json',
        ]);

        // The tab's logits and Node's (cpu backend) for the same ids, from the downloaded files.
        const probe = [1, 5, 9, 40, 77, 100];
        const tabLogits = await page.evaluate(
          (ids) => (globalThis as unknown as StudioWindow).lmkitStudio.lastLogits(ids),
          probe,
        );
        expect(verifyCheckpoint(downloads).step).toBe(20);
        await setBackend('cpu', { nativeKernels: false });
        const model = await loadGPT2(downloads);
        const logits = model.logits([probe]);
        const nodeLogits = [...(await logits.data())].slice(-model.config.vocabSize);
        logits.dispose();
        model.dispose();
        let diff = 0;
        let norm = 0;
        nodeLogits.forEach((value, i) => {
          diff += (value - tabLogits[i]) ** 2;
          norm += value ** 2;
        });
        expect(Math.sqrt(diff / norm)).toBeLessThan(1e-4);
        expect(pageErrors).toEqual([]);
      } finally {
        await browser.close();
      }
    });
  },
);
