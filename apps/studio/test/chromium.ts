// Debian's Chromium for the studio's browser tests, driven by playwright-core: headless, no sandbox
// (containers), no background traffic, and WebGPU on (SwiftShader's adapter when there is no GPU).
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Undefined when Chromium is there; else why the browser tests skip (CI must have it). */
export function chromiumMissing(what: string): string | undefined {
  if (existsSync(chromiumPath)) return undefined;
  if (process.env.CI)
    throw new Error(`CI must run ${what}, but there is no Chromium at ${chromiumPath}`);
  return `no Chromium at ${chromiumPath}`;
}

export function launchWebGpuChromium() {
  return chromium.launch({
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
}
