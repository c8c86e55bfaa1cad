// Command-line options of `pnpm chat`, declared once with @lmkit/cli-kit (the parser, the help and
// the limits come from the same declarations), checked and turned into one typed object; bad
// values are usage errors that name the flag, the value and what to pass instead (exit 2).
import { isIP } from 'node:net';
import {
  flag,
  formatHelp,
  parseFlags,
  samplingFlags,
  samplingOptions,
  UsageError,
} from '@lmkit/cli-kit';
import { defaultLimits, type ServerLimits } from './limits.ts';
import type { RequestDefaults } from './request.ts';

export { UsageError };

const flags = {
  checkpoint: flag.string({
    description:
      'checkpoint folder (config.json, model.safetensors, tokenizer.json); default runs/speedrun/chat-model (written by `pnpm speedrun`)',
    placeholder: 'PATH',
  }),
  port: flag.number({
    description: 'port to listen on; 0 picks a free one',
    integer: true,
    min: 0,
    max: 65_535,
    default: 8000,
  }),
  host: flag.string({
    description:
      'address to bind (this machine only by default); anything else exposes the server, with a warning',
    default: '127.0.0.1',
    placeholder: 'H',
  }),
  'model-id': flag.string({
    description: "the model name clients pass (default: the checkpoint folder's name)",
    placeholder: 'ID',
  }),
  'max-reply-tokens': flag.number({
    description: 'largest max_tokens a request may ask for (default 512)',
    integer: true,
    min: 1,
    max: 1_000_000,
  }),
  'max-tokens': flag.string({ description: 'renamed --max-reply-tokens', hidden: true }),
  'max-waiting': flag.number({
    description: 'requests that may wait for the model before 429s (default 16)',
    integer: true,
    min: 0,
    max: 100_000,
  }),
  'max-body-bytes': flag.number({
    description: 'largest request body (default 1048576)',
    integer: true,
    min: 1024,
    max: 1024 ** 3,
  }),
  backend: flag.string({
    description: 'TensorFlow.js backend',
    choices: ['auto', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const,
    default: 'auto',
    placeholder: 'NAME',
  }),
  'api-key': flag.string({
    description:
      'require `Authorization: Bearer KEY` on /v1 and /api (default: the LMKIT_API_KEY environment variable; none when unset)',
    placeholder: 'KEY',
  }),
  cors: flag.list({
    description:
      "let web pages from ORIGIN (https://app.example, or *) call the API (default: only the server's own pages)",
    commas: false,
    placeholder: 'ORIGIN',
  }),
  'allowed-host': flag.list({
    description:
      'accept requests addressed to NAME besides the bound address (behind a proxy or a DNS name); * for any',
    commas: false,
    placeholder: 'NAME',
  }),
};

/** The shared sampling flags, as defaults for requests that leave a field out. */
const sampling = samplingFlags();

export const usage = formatHelp({
  usage: 'Usage: pnpm chat [options]',
  description:
    'Serves an lmkit chat checkpoint with an OpenAI-compatible API, a web chat page and a tokenizer\nplayground.',
  groups: [
    { title: 'Options', flags },
    {
      title:
        "Sampling defaults for requests that leave the field out (a request's own temperature, top_p,\nmax_tokens or seed wins; top_k has no request field)",
      flags: sampling,
    },
  ],
  footer: `Endpoints: POST /v1/chat/completions, POST /v1/completions, GET /v1/models, GET /health,
chat page at /, tokenizer playground at /playground.`,
});

export interface CliOptions {
  help: boolean;
  version: boolean;
  checkpoint: string | undefined;
  port: number;
  host: string;
  modelId: string | undefined;
  backend: 'auto' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';
  limits: Partial<ServerLimits>;
  /** Sampling defaults from --temperature --top-k --top-p --max-new-tokens --seed. */
  defaults: RequestDefaults;
  apiKey: string | undefined;
  corsOrigins: string[];
  allowedHosts: string[];
}

export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): CliOptions {
  const { values } = parseFlags({ ...flags, ...sampling }, argv);
  if (values.maxTokens !== undefined) {
    throw new UsageError(
      `--max-tokens is now --max-reply-tokens (the cap on a request's max_tokens); lmkit-train's --max-tokens is a training budget`,
    );
  }
  const apiKey = values.apiKey ?? (env.LMKIT_API_KEY || undefined);
  if (apiKey !== undefined && apiKey.trim() === '') {
    throw new UsageError(
      '--api-key is empty; pass the key clients must send, or leave the flag out',
    );
  }
  const maxReplyTokens = values.maxReplyTokens ?? defaultLimits.maxReplyTokens;
  if (values.maxNewTokens !== undefined && values.maxNewTokens > maxReplyTokens) {
    throw new UsageError(
      `--max-new-tokens ${values.maxNewTokens} is above --max-reply-tokens ${maxReplyTokens}, the most a request may ask for; lower --max-new-tokens or raise --max-reply-tokens`,
    );
  }
  const corsOrigins = values.cors;
  for (const origin of corsOrigins) {
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin.replace(/\/+$/, ''))) {
      throw new UsageError(
        `--cors ${origin} is not an origin; pass scheme and host like https://app.example or http://localhost:3000 (no path), or *`,
      );
    }
  }
  return {
    help: values.help,
    version: values.version,
    apiKey,
    corsOrigins,
    allowedHosts: values.allowedHost,
    checkpoint: values.checkpoint,
    port: values.port,
    host: values.host,
    modelId: values.modelId,
    backend: values.backend,
    defaults: samplingOptions(values),
    limits: {
      maxReplyTokens: values.maxReplyTokens,
      maxWaiting: values.maxWaiting,
      maxBodyBytes: values.maxBodyBytes,
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
