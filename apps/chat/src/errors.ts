// Errors the server answers with, in the OpenAI error body form
// `{ "error": { "message", "type", "param", "code" } }`, so OpenAI clients surface them unchanged.
// Every message names the value, the limit and the fix.

export type ApiErrorType =
  | 'invalid_request_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'server_error'
  | 'service_unavailable';

import { LmkitError } from '@lmkit/core';

export class ChatServerError extends LmkitError {
  readonly status: number;
  readonly type: ApiErrorType;
  readonly param: string | null;
  readonly code: string | null;
  /** Seconds a client should wait before retrying (sent as `Retry-After`). */
  readonly retryAfterSeconds: number | undefined;

  constructor(options: {
    status: number;
    message: string;
    type?: ApiErrorType;
    param?: string;
    code?: string;
    retryAfterSeconds?: number;
  }) {
    super(options.message);
    this.status = options.status;
    this.type = options.type ?? 'invalid_request_error';
    this.param = options.param ?? null;
    this.code = options.code ?? null;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  toBody() {
    return {
      error: { message: this.message, type: this.type, param: this.param, code: this.code },
    };
  }
}

export function badRequest(message: string, param?: string, code?: string) {
  return new ChatServerError({ status: 400, message, param, code });
}

/** Any thrown value as a ChatServerError (unknown errors become a 500 without internals). */
export function asServerError(error: unknown) {
  if (error instanceof ChatServerError) return error;
  return new ChatServerError({
    status: 500,
    type: 'server_error',
    message: 'internal server error while generating; see the server log',
  });
}

/** A checkpoint folder that cannot be served; the message says what to do. */
export class CheckpointError extends ChatServerError {
  constructor(message: string) {
    super({ status: 500, type: 'server_error', message });
  }
}
