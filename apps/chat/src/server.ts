// The chat server on node:http: the OpenAI routes (/v1/chat/completions, /v1/completions,
// /v1/models), a health route, the web pages and the token APIs they call. Binds 127.0.0.1 unless
// told otherwise; checks Host, Origin and the API key first (access.ts); every response carries an
// `x-request-id` and gets one access-log line; close() refuses new work, cancels running streams
// and closes the port.
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccessGuard, type AccessOptions } from './access.ts';
import { modelNotFound } from './completion.ts';
import { handleCompletions } from './completions-route.ts';
import type { ChatEngine } from './engine.ts';
import { asServerError, ChatServerError } from './errors.ts';
import { readJsonBody, sendError, sendJson } from './http-io.ts';
import { resolveLimits, type ServerLimits } from './limits.ts';
import { GenerationQueue } from './queue.ts';
import type { RequestDefaults } from './request.ts';
import { logWhenDone } from './request-log.ts';
import { loadStaticFiles } from './static-files.ts';
import { type EncodingSet, handleEncodings, handleRender, handleTokenize } from './token-routes.ts';

export interface ChatServerOptions extends AccessOptions {
  engine: ChatEngine;
  limits?: Partial<ServerLimits>;
  /** Sampling values for requests that leave a field out (`pnpm chat --temperature ...`). */
  defaults?: RequestDefaults;
  /** Default 127.0.0.1 (loopback only). */
  host?: string;
  /** Default 8000; 0 picks a free port. */
  port?: number;
  /** Encodings offered by the tokenizer playground besides the checkpoint's own. */
  encodings?: EncodingSet;
  /** Where error details and the access log go; default stderr. */
  log?: (line: string) => void;
  /** Write one access-log line per request (default true). */
  accessLog?: boolean;
}

/** The server could not start listening; the message is one line with the fix. */
export class BindError extends ChatServerError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super({ status: 500, type: 'server_error', message });
    this.name = 'BindError';
    if (options.cause !== undefined) this.cause = options.cause;
  }
}

function bindError(error: NodeJS.ErrnoException, host: string, port: number) {
  const where = `${host}:${port}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return new BindError(
        `port ${port} on ${host} is already in use (another server, or an earlier \`pnpm chat\` still running); stop it or pass --port with a free port (--port 0 picks one)`,
        { cause: error },
      );
    case 'EADDRNOTAVAIL':
      return new BindError(
        `cannot bind ${where}: ${host} is not an address of this machine; pass --host 127.0.0.1 (this machine only) or one of its own addresses`,
        { cause: error },
      );
    case 'EACCES':
      return new BindError(
        `no permission to bind ${where} (ports below 1024 need privileges); pass --port 1024 or above`,
        { cause: error },
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new BindError(`cannot resolve --host ${host}; pass an IP address such as 127.0.0.1`, {
        cause: error,
      });
    default:
      return new BindError(`cannot listen on ${where}: ${error.message}`, { cause: error });
  }
}

export interface ChatServer {
  /** `http://host:port`, with the port actually bound. */
  readonly url: string;
  readonly port: number;
  stats(): ReturnType<GenerationQueue['stats']> & { openConnections: number };
  /** Stops accepting, cancels running generations, closes the port. */
  close(): Promise<void>;
}

export async function startChatServer(options: ChatServerOptions): Promise<ChatServer> {
  const limits = resolveLimits(options.limits);
  const log = options.log ?? ((line: string) => console.error(line));
  const queue = new GenerationQueue(limits);
  const shutdown = new AbortController();
  // Every request in flight listens for shutdown: no listener-leak warning past ten of them.
  setMaxListeners(0, shutdown.signal);
  const files = loadStaticFiles();
  const encodings: EncodingSet = options.encodings ?? new Map();
  const engine = options.engine;
  const defaults = options.defaults ?? {};
  if (defaults.maxNewTokens !== undefined && defaults.maxNewTokens > limits.maxReplyTokens) {
    throw new RangeError(
      `default maxNewTokens ${defaults.maxNewTokens} is above maxReplyTokens ${limits.maxReplyTokens}; lower it or raise the limit`,
    );
  }
  const context = { engine, limits, defaults, queue, shutdown: shutdown.signal, log };
  const created = Math.floor(Date.now() / 1000);
  const modelCard = { id: engine.modelId, object: 'model', created, owned_by: 'lmkit' };
  const host = options.host ?? '127.0.0.1';
  const guard = new AccessGuard(host, options);

  async function route(request: IncomingMessage, response: ServerResponse, path: string) {
    const method = request.method ?? 'GET';
    if (guard.check(request, response, path)) return;
    const expect = (wanted: string) => {
      if (method === wanted || (wanted === 'GET' && method === 'HEAD')) return;
      response.setHeader('allow', wanted);
      throw new ChatServerError({
        status: 405,
        message: `${method} ${path} is not allowed; use ${wanted}`,
      });
    };
    if (shutdown.signal.aborted) {
      throw new ChatServerError({
        status: 503,
        type: 'service_unavailable',
        message: 'the server is shutting down; retry against a running server',
      });
    }
    const file = files.get(path);
    if (file) {
      expect('GET');
      response.writeHead(200, {
        'content-type': file.contentType,
        'content-length': file.body.length,
        'cache-control': 'no-cache',
      });
      response.end(method === 'HEAD' ? undefined : file.body);
      return;
    }
    switch (path) {
      case '/v1/chat/completions':
        expect('POST');
        return handleCompletions(context, request, response, 'chat');
      case '/v1/completions':
        expect('POST');
        return handleCompletions(context, request, response, 'text');
      case '/v1/models':
        expect('GET');
        return sendJson(response, 200, { object: 'list', data: [modelCard] });
      case '/health':
      case '/v1/health':
        expect('GET');
        return sendJson(response, 200, {
          status: 'ok',
          model: engine.modelId,
          context_tokens: engine.contextTokens,
          queue: queue.stats(),
        });
      case '/api/encodings':
        expect('GET');
        return handleEncodings(engine, encodings, response);
      case '/api/tokenize':
        expect('POST');
        return handleTokenize(
          engine,
          encodings,
          await readJsonBody(request, limits.maxBodyBytes),
          response,
        );
      case '/api/render':
        expect('POST');
        return handleRender(
          engine,
          encodings,
          limits,
          await readJsonBody(request, limits.maxBodyBytes),
          response,
        );
    }
    if (path.startsWith('/v1/models/')) {
      expect('GET');
      const raw = path.slice('/v1/models/'.length);
      let id = raw;
      try {
        id = decodeURIComponent(raw);
      } catch {} // a malformed escape is just an unknown id
      if (id === engine.modelId) return sendJson(response, 200, modelCard);
      throw modelNotFound(id, engine.modelId);
    }
    throw new ChatServerError({
      status: 404,
      type: 'invalid_request_error',
      message: `no route ${method} ${path}; the API is under /v1 (POST /v1/chat/completions, POST /v1/completions, GET /v1/models), the chat page at /`,
    });
  }

  const inFlight = new Set<Promise<void>>();
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0].replace(/\/+$/, '') || '/';
    const requestId = `req_${randomBytes(16).toString('hex')}`;
    response.setHeader('x-request-id', requestId);
    if (options.accessLog !== false) logWhenDone({ request, response, path, requestId, log });
    const handled = route(request, response, path)
      .catch((error: unknown) => {
        const failure = asServerError(error);
        if (failure !== error) log(`[chat] ${String((error as Error)?.stack ?? error)}`);
        if (!response.destroyed) sendError(response, failure);
      })
      .finally(() => inFlight.delete(handled));
    inFlight.add(handled);
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });
  // Idle keep-alive sockets stay open a minute: with Node's 5 s default, a client reusing a socket
  // just as the server closes it gets ECONNRESET (seen with 32 queued requests from one process).
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  let openConnections = 0;
  server.on('connection', (socket) => {
    openConnections++;
    socket.once('close', () => openConnections--);
  });

  const port = options.port ?? 8000;
  await new Promise<void>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => reject(bindError(error, host, port));
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    stats: () => ({ ...queue.stats(), openConnections }),
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        queue.close('shutting down');
        shutdown.abort(new Error('server shutting down'));
        server.closeIdleConnections();
        // Running streams end (with an error event and [DONE]) at their next token.
        const grace = new Promise<void>((resolve) => setTimeout(resolve, 5000).unref());
        await Promise.race([Promise.allSettled([...inFlight]), grace]);
        server.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}
