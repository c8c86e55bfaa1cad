// Small node:http helpers: read a JSON body under a byte limit, send JSON, send an OpenAI-style
// error. Nothing here throws past the caller: every failure becomes a ChatServerError.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, ChatServerError } from './errors.ts';

/** Reads and parses a JSON request body; 413 past `maxBodyBytes`, 400 on malformed JSON. */
export async function readJsonBody(request: IncomingMessage, maxBodyBytes: number) {
  const declared = Number(request.headers['content-length']);
  const tooLarge = (bytes: number) =>
    new ChatServerError({
      status: 413,
      code: 'request_too_large',
      message: `the request body is ${bytes} bytes, more than the limit of ${maxBodyBytes}; send a shorter conversation or start the server with a larger --max-body-bytes`,
    });
  if (Number.isFinite(declared) && declared > maxBodyBytes) throw tooLarge(declared);
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > maxBodyBytes) throw tooLarge(received);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw badRequest(
      `the request body is not valid JSON (${(error as Error).message}); send a JSON object with Content-Type: application/json`,
    );
  }
}

export function sendJson(response: ServerResponse, status: number, body: unknown) {
  if (response.headersSent) {
    response.end();
    return;
  }
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  response.end(text);
}

export function sendError(response: ServerResponse, error: ChatServerError) {
  if (error.retryAfterSeconds !== undefined && !response.headersSent) {
    response.setHeader('retry-after', String(error.retryAfterSeconds));
  }
  // After a refused body the rest of the upload is not read: close the connection.
  if (error.status === 413 && !response.headersSent) response.setHeader('connection', 'close');
  sendJson(response, error.status, error.toBody());
}
