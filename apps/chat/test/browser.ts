// Launches Debian's Chromium through playwright-core for the page tests: headless, no sandbox
// (containers), no GPU, and no background traffic; Playwright gives it a fresh temp profile.
import { existsSync, mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where screenshots go (ignored by git). */
export const testOutputDir = new URL('../test-output/', import.meta.url).pathname;

export function launchChromium() {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `no Chromium at ${chromiumPath}: install it (apt-get install chromium; .ci/run does) or set CHROMIUM_PATH`,
    );
  }
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
