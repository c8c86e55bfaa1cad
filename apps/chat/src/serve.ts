// What `pnpm chat` does once its flags are parsed: load the checkpoint, start the server, print
// where it listens, and stop on SIGINT or SIGTERM — waiting requests get 503 and running streams
// end with an error event, quietly (no stack traces); a second signal exits at once. When the
// parent that started it (pnpm, tsx) dies without passing the signal on, the server stops too,
// so no orphan keeps the port.
import { setBackend } from '@lmkit/gpt-model';
import type { AccessOptions } from './access.ts';
import { openAiEncodings } from './encodings.ts';
import type { ServerLimits } from './limits.ts';
import { loadChatEngine } from './model-engine.ts';
import type { RequestDefaults } from './request.ts';
import { type ChatServer, startChatServer } from './server.ts';

export interface ServeChatOptions extends AccessOptions {
  /** The checkpoint folder (already resolved). */
  checkpoint: string;
  modelId?: string;
  host: string;
  port: number;
  limits?: Partial<ServerLimits>;
  /** Sampling defaults for requests that leave a field out (request values win). */
  defaults?: RequestDefaults;
  backend: 'auto' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';
  /** Status lines (stderr by default); the listening URL goes to `print` (stdout). */
  log?: (line: string) => void;
  print?: (line: string) => void;
}

/** Serves until a signal arrives; resolves once the port is closed and the model disposed. */
export async function serveChat(options: ServeChatOptions): Promise<void> {
  // Read before anything slow: a parent that dies while the model loads must still be noticed.
  const parent = process.ppid;
  const log = options.log ?? ((line: string) => console.error(line));
  const print = options.print ?? ((line: string) => console.log(line));
  const backend = await setBackend(options.backend);
  const started = performance.now();
  const engine = await loadChatEngine({ dir: options.checkpoint, modelId: options.modelId });
  log(
    `[chat] loaded ${options.checkpoint} as "${engine.modelId}" (context ${engine.contextTokens} tokens, vocabulary ${engine.tokenizer.vocabSize}, backend ${backend}) in ${Math.round(performance.now() - started)} ms`,
  );
  for (const note of engine.notes) log(`[chat] note: ${note}`);
  let server: ChatServer;
  try {
    server = await startChatServer({
      engine,
      host: options.host,
      port: options.port,
      limits: options.limits,
      defaults: options.defaults,
      encodings: openAiEncodings(),
      apiKey: options.apiKey,
      corsOrigins: options.corsOrigins,
      allowedHosts: options.allowedHosts,
      log,
    });
  } catch (error) {
    engine.dispose?.();
    throw error;
  }
  print(`[chat] listening on ${server.url}`);
  print(
    `[chat] chat page ${server.url}/ · playground ${server.url}/playground · API ${server.url}/v1` +
      (options.apiKey === undefined ? '' : ' (API key required)'),
  );
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (reason: string) => {
      if (stopping) {
        log(`[chat] ${reason} again: exiting now`);
        process.exit(1);
      }
      stopping = true;
      clearInterval(parentWatch);
      log(`[chat] ${reason}: finishing, closing the port`);
      server.close().then(() => {
        engine.dispose?.();
        process.off('SIGINT', onInterrupt);
        process.off('SIGTERM', onTerminate);
        log('[chat] stopped');
        resolve();
      });
    };
    const onInterrupt = () => stop('SIGINT');
    const onTerminate = () => stop('SIGTERM');
    process.on('SIGINT', onInterrupt);
    process.on('SIGTERM', onTerminate);
    // A wrapper killed with SIGKILL (or one that does not forward signals) leaves this process
    // re-parented: notice it and stop rather than hold the port forever.
    const parentWatch = setInterval(() => {
      if (process.ppid !== parent) stop('parent process exited');
    }, 500);
    parentWatch.unref();
  });
}
