// Launches Debian's Chromium through playwright-core for the page tests: headless, no sandbox
// (containers), no GPU, and no background traffic; Playwright gives it a fresh temp profile.
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where screenshots go (ignored by git). */
export const testOutputDir = new URL('../test-output/', import.meta.url).pathname;

export function launchChromium() {
  mkdirSync(testOutputDir, { recursive: true });
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
