#!/usr/bin/env node
// `pnpm chat`: load a chat checkpoint and serve it (API, chat page, tokenizer playground) until
// SIGINT or SIGTERM, then cancel running streams, close the port and exit 0.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorReport, programVersion } from '@lmkit/cli-kit';
import { LmkitError } from '@lmkit/core';
import { exposureWarning, parseCliArgs, UsageError, usage } from './args.ts';
import { CheckpointError } from './model-engine.ts';
import { serveChat } from './serve.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const defaultCheckpoint = join(repoRoot, 'runs/speedrun/chat-model');

async function main() {
  const options = parseCliArgs(process.argv.slice(2));
  if (options.help) {
    console.log(usage);
    return;
  }
  if (options.version) {
    console.log(programVersion('pnpm chat', import.meta.url));
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
  await serveChat({
    checkpoint: dir,
    modelId: options.modelId,
    host: options.host,
    port: options.port,
    limits: options.limits,
    defaults: options.defaults,
    backend: options.backend,
    apiKey: options.apiKey,
    corsOrigins: options.corsOrigins,
    allowedHosts: options.allowedHosts,
  });
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(errorReport('pnpm chat', error).text.trimEnd());
    process.exit(2);
  }
  // Known failures (checkpoint, bind) are one line with the fix; anything else keeps its stack.
  console.error(
    `[chat] ${LmkitError.isInstance(error) ? error.message : ((error as Error)?.stack ?? error)}`,
  );
  process.exit(1);
});
