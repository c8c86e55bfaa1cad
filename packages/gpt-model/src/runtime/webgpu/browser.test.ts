// The same model code on a browser's WebGPU: esbuild bundles __fixtures__/browser-reference.ts, a
// loopback server serves it with the reference model, and Debian's Chromium (headless, SwiftShader's
// WebGPU adapter behind --enable-unsafe-webgpu) runs the PyTorch reference checks. Skipped, with the
// reason, where Chromium is missing, except under CI, which installs it.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(chromiumPath);
if (!hasChromium && process.env.CI)
  throw new Error(
    `CI must run the browser WebGPU check, but there is no Chromium at ${chromiumPath}`,
  );

const modelDir = fileURLToPath(
  new URL('../../../../../data/models/gpt2-tiny-random/', import.meta.url),
);
const coreSource = fileURLToPath(new URL('../../../../core/src/', import.meta.url));
const entry = fileURLToPath(new URL('./__fixtures__/browser-reference.ts', import.meta.url));

/**
 * Node built-ins reached only by code paths a browser never takes (file I/O, the Node WebGPU set-up):
 * bundled as stubs that throw if called, so a wrong path fails loudly instead of silently.
 */
const nodeBuiltinStubs: Plugin = {
  name: 'node-builtin-stubs',
  setup(builder) {
    builder.onResolve({ filter: /^node:/ }, (args) => ({
      path: args.path,
      namespace: 'node-stub',
    }));
    // @lmkit/core's browser-safe modules only (its document I/O and worker pool need Node).
    builder.onResolve({ filter: /^@lmkit\/core$/ }, () => ({ path: 'core', namespace: 'core' }));
    builder.onLoad({ filter: /.*/, namespace: 'core' }, () => ({
      contents: ['contracts', 'errors', 'markers', 'random']
        .map((name) => `export * from ${JSON.stringify(`${coreSource}${name}.ts`)};`)
        .join('\n'),
      loader: 'js',
      resolveDir: coreSource,
    }));
    builder.onLoad({ filter: /.*/, namespace: 'node-stub' }, async (args) => {
      // The real module's export names (this test runs in Node), each bound to a throwing stub.
      const names = Object.keys(await import(args.path)).filter(
        (name) => name !== 'default' && /^[A-Za-z_$][\w$]*$/.test(name),
      );
      const special: Record<string, string> = {
        totalmem: '() => 8 * 2 ** 30',
        randomBytes: '(n) => crypto.getRandomValues(new Uint8Array(n))',
        createRequire: '() => Object.assign(notInBrowser, { resolve: notInBrowser })',
      };
      return {
        contents: [
          `const notInBrowser = () => { throw new Error('${args.path} is not available in a browser'); };`,
          ...names.map((name) => `export const ${name} = ${special[name] ?? 'notInBrowser'};`),
          'export default {};',
        ].join('\n'),
        loader: 'js',
      };
    });
  },
};

describe.skipIf(!hasChromium)(
  `GPT-2 on Chromium's WebGPU against the PyTorch reference${hasChromium ? '' : ` (skipped: no Chromium at ${chromiumPath})`}`,
  () => {
    let server: Server;
    let origin: string;
    beforeAll(async () => {
      const bundle = await build({
        entryPoints: [entry],
        bundle: true,
        format: 'esm',
        platform: 'browser',
        target: 'chrome120',
        write: false,
        conditions: ['source'],
        logLevel: 'silent',
        plugins: [nodeBuiltinStubs],
      });
      const script = bundle.outputFiles[0].contents;
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
      const browser = await chromium.launch({
        executablePath: chromiumPath,
        headless: true,
        args: [
          '--no-sandbox',
          '--enable-unsafe-webgpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
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
