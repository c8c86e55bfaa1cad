// One access-log line per request, written when its response ends:
// `[chat] POST /v1/chat/completions 200 in=42 out=17 318ms req_…`. Routes that run the model
// note their token counts on the response with noteTokens().
import type { IncomingMessage, ServerResponse } from 'node:http';

const tokenCounts = new WeakMap<ServerResponse, { in: number; out: number }>();

/** Records the prompt and completion token counts of a response for its access-log line. */
export function noteTokens(
  response: ServerResponse,
  promptTokens: number,
  completionTokens: number,
) {
  tokenCounts.set(response, { in: promptTokens, out: completionTokens });
}

/** Logs one line when the response finishes or its connection closes (status 499: client left). */
export function logWhenDone(options: {
  request: IncomingMessage;
  response: ServerResponse;
  path: string;
  requestId: string;
  log: (line: string) => void;
  now?: () => number;
}) {
  const { request, response, log } = options;
  const now = options.now ?? performance.now.bind(performance);
  const started = now();
  let logged = false;
  const done = () => {
    if (logged) return;
    logged = true;
    const status = response.writableFinished ? response.statusCode : 499;
    const tokens = tokenCounts.get(response);
    const counts = tokens ? ` in=${tokens.in} out=${tokens.out}` : '';
    log(
      `[chat] ${request.method ?? 'GET'} ${options.path} ${status}${counts} ${Math.round(now() - started)}ms ${options.requestId}`,
    );
  };
  response.once('finish', done);
  response.once('close', done);
}
