// The studio's web server: the page, its bundle, and (optionally) one checkpoint folder's files for
// the page to open. Loopback by default; it serves nothing but those files.
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { LmkitError } from '@lmkit/core';
import { bundleForBrowser } from './bundle.ts';

export class StudioError extends LmkitError {}

/** The checkpoint files the page reads; the manifest, when present, is checked by the page. */
export const CHECKPOINT_FILES = [
  'config.json',
  'model.safetensors',
  'tokenizer.json',
  'manifest.json',
] as const;

export interface StudioOptions {
  /** A checkpoint folder (config.json, model.safetensors, tokenizer.json) the page opens at start. */
  checkpoint?: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8788; 0 picks a free port. */
  port?: number;
}

export interface Studio {
  url: string;
  close(): Promise<void>;
}

const webDir = new URL('../web/', import.meta.url);

export async function startStudio(options: StudioOptions = {}): Promise<Studio> {
  const { checkpoint } = options;
  if (checkpoint !== undefined) {
    for (const name of ['config.json', 'model.safetensors', 'tokenizer.json']) {
      if (!existsSync(join(checkpoint, name)))
        throw new StudioError(
          `${checkpoint} has no ${name}; pass a checkpoint folder written by lmkit-train or the speedrun (config.json, model.safetensors, tokenizer.json)`,
        );
    }
  }
  const script = await bundleForBrowser(new URL('./page/main.ts', import.meta.url));
  // The checkpoint's files as they are at start: the listing and the routes agree.
  const served =
    checkpoint === undefined
      ? []
      : CHECKPOINT_FILES.filter((name) => existsSync(join(checkpoint, name)));
  const files = new Map<string, { type: string; body: () => Uint8Array | string }>([
    [
      '/',
      { type: 'text/html; charset=utf-8', body: () => readFileSync(new URL('index.html', webDir)) },
    ],
    ['/style.css', { type: 'text/css', body: () => readFileSync(new URL('style.css', webDir)) }],
    ['/studio.js', { type: 'text/javascript', body: () => script }],
    ['/checkpoint/', { type: 'application/json', body: () => JSON.stringify(served) }],
    ...served.map((name): [string, { type: string; body: () => Uint8Array }] => [
      `/checkpoint/${name}`,
      { type: 'application/octet-stream', body: () => readFileSync(join(checkpoint!, name)) },
    ]),
  ]);
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://studio').pathname;
    const file = files.get(path);
    if (!file) {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end(`not found: ${path}`);
      return;
    }
    const body = file.body();
    response.writeHead(200, {
      'content-type': file.type,
      'cache-control': 'no-store',
      'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.length,
    });
    response.end(body);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new StudioError(
              `port ${options.port} on ${host} is in use; pass --port with a free port (or 0 for any)`,
            )
          : error,
      ),
    );
    server.listen(options.port ?? 8788, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
