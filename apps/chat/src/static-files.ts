// The web pages (chat and tokenizer playground) read once from src/web at start-up and served
// from memory with their content types. Only the listed files are reachable: no path lookup.
import { readFileSync } from 'node:fs';

const types: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

/** URL path → file in src/web. */
const routes: Record<string, string> = {
  '/': 'chat.html',
  '/playground': 'playground.html',
  '/assets/chat.js': 'chat.js',
  '/assets/playground.js': 'playground.js',
  '/assets/tokens.js': 'tokens.js',
  '/assets/style.css': 'style.css',
};

export interface StaticFile {
  body: Buffer;
  contentType: string;
}

export function loadStaticFiles(): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const [path, file] of Object.entries(routes)) {
    const body = readFileSync(new URL(`./web/${file}`, import.meta.url));
    files.set(path, { body, contentType: types[file.split('.').pop()!] });
  }
  return files;
}
