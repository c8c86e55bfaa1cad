// Who may call the server: the Host a request names (DNS-rebinding protection), the Origin a
// browser sends (same origin, or one given with --cors), and the API key (--api-key), checked in
// that order before any route runs. CORS headers and preflights follow the Fetch standard; the
// 401 bodies follow OpenAI's. Requests without an Origin (curl, SDKs) pass the Origin check.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { ChatServerError } from './errors.ts';

export interface AccessOptions {
  /** Required as `Authorization: Bearer KEY` on the API routes (/v1, /api); undefined: none. */
  apiKey?: string;
  /** Origins (`https://app.example`) allowed to call from a browser besides the server's own; `*` allows any. */
  corsOrigins?: readonly string[];
  /**
   * Host names a request may address besides the bound address (and, on loopback, `localhost`);
   * `*` allows any. Default none: a page on another domain that resolves to this machine is refused.
   */
  allowedHosts?: readonly string[];
}

const loopbackNames = ['localhost', '127.0.0.1', '::1'];
const wildcardAddresses = ['0.0.0.0', '::'];

/** The host name of a Host header, lower-cased, without port or IPv6 brackets. */
export function hostName(header: string) {
  const value = header.trim().toLowerCase();
  if (value.startsWith('[')) return value.slice(1, value.indexOf(']'));
  return value.replace(/:\d*$/, '');
}

/** Host names this server answers to when bound to `boundHost` (null: any). */
export function allowedHostNames(boundHost: string, extra: readonly string[] = []) {
  if (extra.includes('*')) return null;
  const bound = isIP(boundHost) !== 0 ? boundHost.toLowerCase() : hostName(boundHost);
  const names = new Set(extra.map(hostName));
  names.add(bound);
  const loopback = loopbackNames.includes(bound) || (isIP(bound) === 4 && bound.startsWith('127.'));
  if (loopback) for (const name of loopbackNames) names.add(name);
  // Bound to every interface, the server cannot know its names: any IP literal is fine, names need --allowed-host.
  if (wildcardAddresses.includes(bound)) for (const name of loopbackNames) names.add(name);
  return { names, anyIp: wildcardAddresses.includes(bound) };
}

function forbidden(message: string, code: string) {
  return new ChatServerError({ status: 403, type: 'invalid_request_error', code, message });
}

function digest(text: string) {
  return createHash('sha256').update(text).digest();
}

export class AccessGuard {
  readonly #hosts: ReturnType<typeof allowedHostNames>;
  readonly #cors: ReadonlySet<string>;
  readonly #keyDigest: Buffer | undefined;

  constructor(boundHost: string, options: AccessOptions) {
    this.#hosts = allowedHostNames(boundHost, options.allowedHosts);
    this.#cors = new Set((options.corsOrigins ?? []).map((origin) => origin.replace(/\/+$/, '')));
    this.#keyDigest = options.apiKey === undefined ? undefined : digest(options.apiKey);
  }

  /**
   * Checks a request and sets its CORS headers. Returns true when it was a preflight that has
   * been answered; throws a 401/403 ChatServerError when it may not proceed.
   */
  check(request: IncomingMessage, response: ServerResponse, path: string) {
    const host = request.headers.host;
    if (this.#hosts && host !== undefined) {
      const name = hostName(host);
      if (!this.#hosts.names.has(name) && !(this.#hosts.anyIp && isIP(name) !== 0)) {
        throw forbidden(
          `Host ${JSON.stringify(host)} is not an address of this server (a page on another domain may be trying to reach it); open the server by its address, or start it with --allowed-host ${name}`,
          'host_not_allowed',
        );
      }
    }
    const origin = request.headers.origin;
    if (origin !== undefined) {
      const sameOrigin = host !== undefined && origin === `http://${host}`;
      const allowed = this.#cors.has('*') || this.#cors.has(origin);
      if (!sameOrigin && !allowed) {
        throw forbidden(
          `Origin ${JSON.stringify(origin)} may not call this server; start it with --cors ${origin} to allow that page`,
          'origin_not_allowed',
        );
      }
      if (allowed && !sameOrigin) {
        response.setHeader('access-control-allow-origin', this.#cors.has('*') ? '*' : origin);
        response.setHeader('access-control-expose-headers', 'x-request-id, retry-after');
      }
      response.setHeader('vary', 'origin');
      if (request.method === 'OPTIONS' && request.headers['access-control-request-method']) {
        response.writeHead(204, {
          'access-control-allow-methods': 'GET, POST, OPTIONS',
          'access-control-allow-headers':
            request.headers['access-control-request-headers'] ?? 'authorization, content-type',
          'access-control-max-age': '600',
        });
        response.end();
        return true;
      }
    }
    if (this.#keyDigest && (path.startsWith('/v1/') || path.startsWith('/api/'))) {
      this.#checkKey(request.headers.authorization);
    }
    return false;
  }

  #checkKey(header: string | undefined) {
    const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
    if (!match) {
      throw new ChatServerError({
        status: 401,
        type: 'invalid_request_error',
        message:
          "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY); this server was started with --api-key (or LMKIT_API_KEY).",
      });
    }
    const key = match[1].trim();
    if (!timingSafeEqual(digest(key), this.#keyDigest!)) {
      const shown = key.length > 8 ? `${key.slice(0, 3)}*****${key.slice(-4)}` : '*****';
      throw new ChatServerError({
        status: 401,
        type: 'invalid_request_error',
        code: 'invalid_api_key',
        message: `Incorrect API key provided: ${shown}. Pass the key the server was started with (--api-key or LMKIT_API_KEY).`,
      });
    }
  }
}
