// The same model code on a browser's WebGPU: the studio's bundler packs reference-page.ts, a
// loopback server serves it with the reference model, and Debian's Chromium (headless, SwiftShader's
// WebGPU adapter behind --enable-unsafe-webgpu) runs the PyTorch reference checks. Skipped, with the
// reason, where Chromium is missing, except under CI, which installs it.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleForBrowser } from '../src/bundle.ts';
import { chromiumMissing, launchWebGpuChromium } from './chromium.ts';

const missing = chromiumMissing('the browser WebGPU check');

const modelDir = fileURLToPath(new URL('../../../data/models/gpt2-tiny-random/', import.meta.url));

describe.skipIf(missing !== undefined)(
  `GPT-2 on Chromium's WebGPU against the PyTorch reference${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    let server: Server;
    let origin: string;
    beforeAll(async () => {
      const script = await bundleForBrowser(new URL('./reference-page.ts', import.meta.url));
      const files: Record<string, [string, Uint8Array | string]> = {
        '/': ['text/html', '<!doctype html><script type="module" src="/bundle.js"></script>'],
        '/bundle.js': ['text/javascript', script],
      };
      for (const name of ['config.json', 'model.safetensors', 'reference.json'])
        files[`/model/${name}`] = ['application/octet-stream', readFileSync(`${modelDir}${name}`)];
      server = createServer((request, response) => {
        const file = files[request.url ?? ''];
        response.writeHead(file ? 200 : 404, { 'content-type': file?.[0] ?? 'text/plain' });
        response.end(file?.[1] ?? 'not found');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    }, 120_000);
    afterAll(
      () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
    );

    it('matches logits, loss, every gradient norm and the greedy tokens', async () => {
      const browser = await launchWebGpuChromium();
      try {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on('pageerror', (error) => errors.push(error.message));
        await page.goto(origin);
        await page.waitForFunction(() => 'lmkitResult' in globalThis, undefined, {
          timeout: 240_000,
        });
        const result = (await page.evaluate(
          () => (globalThis as unknown as { lmkitResult: unknown }).lmkitResult,
        )) as {
          error?: string;
          adapter: { software: boolean; maxStorageBufferBindingSize: number };
          backend: string;
          logitsRelativeL2: number;
          lossError: number;
          worstGradientRelative: number;
          greedyEqual: boolean;
          gradientCount: number;
        };
        expect(errors).toEqual([]);
        expect(result.error).toBeUndefined();
        expect(result.backend).toBe('webgpu');
        expect(result.adapter.maxStorageBufferBindingSize).toBeGreaterThan(0);
        expect(result.logitsRelativeL2).toBeLessThan(1e-4);
        expect(result.lossError).toBeLessThan(1e-5);
        expect(result.gradientCount).toBeGreaterThan(20);
        expect(result.worstGradientRelative).toBeLessThan(1e-3);
        expect(result.greedyEqual).toBe(true);
      } finally {
        await browser.close();
      }
    }, 300_000);
  },
);
