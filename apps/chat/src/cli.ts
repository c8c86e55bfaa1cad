#!/usr/bin/env node
// `pnpm chat`: load a chat checkpoint and serve it (API, chat page, tokenizer playground) until
// SIGINT or SIGTERM, then cancel running streams, close the port and exit 0.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setBackend } from '@lmkit/gpt-model';
import { exposureWarning, parseCliArgs, UsageError, usage } from './args.ts';
import { openAiEncodings } from './encodings.ts';
import { CheckpointError, loadChatEngine } from './model-engine.ts';
import { startChatServer } from './server.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const defaultCheckpoint = join(repoRoot, 'runs/speedrun/chat-model');

async function main() {
  const options = parseCliArgs(process.argv.slice(2));
  if (options.help) {
    console.log(usage);
    return;
  }
  const dir = options.checkpoint ? resolve(options.checkpoint) : defaultCheckpoint;
  if (!options.checkpoint && !existsSync(dir)) {
    throw new CheckpointError(
      `no chat checkpoint at ${dir}: run \`pnpm speedrun\` first to train one, or pass --checkpoint PATH`,
    );
  }
  const warning = exposureWarning(options.host);
  if (warning) console.error(warning);
  const backend = await setBackend(options.backend);
  const started = performance.now();
  const engine = await loadChatEngine({ dir, modelId: options.modelId });
  console.error(
    `[chat] loaded ${dir} as "${engine.modelId}" (context ${engine.contextTokens} tokens, vocabulary ${engine.tokenizer.vocabSize}, backend ${backend}) in ${Math.round(performance.now() - started)} ms`,
  );
  const server = await startChatServer({
    engine,
    host: options.host,
    port: options.port,
    limits: options.limits,
    encodings: openAiEncodings(),
  });
  console.log(`[chat] listening on ${server.url}`);
  console.log(
    `[chat] chat page ${server.url}/ · playground ${server.url}/playground · API ${server.url}/v1`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      console.error(`[chat] ${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    console.error(`[chat] ${signal}: finishing, closing the port`);
    server.close().then(() => {
      engine.dispose?.();
      console.error('[chat] stopped');
      process.exitCode = 0;
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(error.message);
    process.exit(2);
  }
  console.error(
    `[chat] ${error instanceof CheckpointError ? error.message : ((error as Error)?.stack ?? error)}`,
  );
  process.exit(1);
});
