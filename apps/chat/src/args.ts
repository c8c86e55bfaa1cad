// Command-line options of `pnpm chat`: parsed with node:util, checked, and turned into one typed
// object; bad values are errors that name the flag, the value and what to pass instead.
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import type { ServerLimits } from './limits.ts';

export const usage = `Usage: pnpm chat [options]

Serves an lmkit chat checkpoint with an OpenAI-compatible API, a web chat page and a tokenizer
playground.

Options:
  --checkpoint PATH     checkpoint folder (config.json, model.safetensors, tokenizer.json)
                        default: runs/speedrun/chat-model (written by \`pnpm speedrun\`)
  --port N              port to listen on; 0 picks a free one (default 8000)
  --host H              address to bind (default 127.0.0.1, this machine only); anything
                        else exposes the server to the network, with a warning
  --model-id ID         the model name clients pass (default: the checkpoint folder's name)
  --max-tokens N        largest max_tokens a request may ask for (default 512)
  --max-waiting N       requests that may wait for the model before 429s (default 16)
  --max-body-bytes N    largest request body (default 1048576)
  --backend NAME        TensorFlow.js backend: auto, tensorflow, wasm or cpu (default auto)
  --api-key KEY         require \`Authorization: Bearer KEY\` on /v1 and /api
                        (default: the LMKIT_API_KEY environment variable; none when unset)
  --cors ORIGIN         let web pages from ORIGIN (https://app.example, or *) call the API;
                        repeat for more origins (default: only the server's own pages)
  --allowed-host NAME   accept requests addressed to NAME besides the bound address (behind
                        a proxy or a DNS name); repeat for more, * for any
  -h, --help            show this help

Endpoints: POST /v1/chat/completions, GET /v1/models, GET /health, chat page at /,
tokenizer playground at /playground.`;

export interface CliOptions {
  help: boolean;
  checkpoint: string | undefined;
  port: number;
  host: string;
  modelId: string | undefined;
  backend: 'auto' | 'tensorflow' | 'wasm' | 'cpu';
  limits: Partial<ServerLimits>;
  apiKey: string | undefined;
  corsOrigins: string[];
  allowedHosts: string[];
}

export class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\nRun \`pnpm chat --help\` for the options.`);
    this.name = 'UsageError';
  }
}

function integer(flag: string, value: string | undefined, low: number, high: number) {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < low || number > high) {
    throw new UsageError(
      `--${flag} ${value} is not valid; pass a whole number from ${low} to ${high}`,
    );
  }
  return number;
}

export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): CliOptions {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        checkpoint: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        'model-id': { type: 'string' },
        'max-tokens': { type: 'string' },
        'max-waiting': { type: 'string' },
        'max-body-bytes': { type: 'string' },
        backend: { type: 'string' },
        'api-key': { type: 'string' },
        cors: { type: 'string', multiple: true },
        'allowed-host': { type: 'string', multiple: true },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const text = (name: string) => values[name] as string | undefined;
  const backend = text('backend') ?? 'auto';
  if (!['auto', 'tensorflow', 'wasm', 'cpu'].includes(backend)) {
    throw new UsageError(`--backend ${backend} is not known; pass auto, tensorflow, wasm or cpu`);
  }
  const apiKey = text('api-key') ?? (env.LMKIT_API_KEY || undefined);
  if (apiKey !== undefined && apiKey.trim() === '') {
    throw new UsageError(
      '--api-key is empty; pass the key clients must send, or leave the flag out',
    );
  }
  const corsOrigins = (values.cors as string[] | undefined) ?? [];
  for (const origin of corsOrigins) {
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin.replace(/\/+$/, ''))) {
      throw new UsageError(
        `--cors ${origin} is not an origin; pass scheme and host like https://app.example or http://localhost:3000 (no path), or *`,
      );
    }
  }
  return {
    help: values.help === true,
    apiKey,
    corsOrigins,
    allowedHosts: (values['allowed-host'] as string[] | undefined) ?? [],
    checkpoint: text('checkpoint'),
    port: integer('port', text('port'), 0, 65_535) ?? 8000,
    host: text('host') ?? '127.0.0.1',
    modelId: text('model-id'),
    backend: backend as CliOptions['backend'],
    limits: {
      maxReplyTokens: integer('max-tokens', text('max-tokens'), 1, 1_000_000),
      maxWaiting: integer('max-waiting', text('max-waiting'), 0, 100_000),
      maxBodyBytes: integer('max-body-bytes', text('max-body-bytes'), 1024, 1024 ** 3),
    },
  };
}

/** A warning when `host` lets other machines connect (undefined for loopback addresses). */
export function exposureWarning(host: string) {
  const loopback =
    host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
  if (loopback) return undefined;
  return `warning: --host ${host} exposes this server to every machine that can reach this address; it has no authentication. Use --host 127.0.0.1 to keep it local.`;
}
