// Makes sure tfjs-core's gradient functions are registered before the first variableGrads call.
// tfjs-core registers them only on request (dist/register_all_gradients.js), and under plain Node
// that file's imports do not resolve, so each gradient file it lists is loaded on its own.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

const require = createRequire(import.meta.url);

let done: Promise<void> | undefined;

/**
 * Registers each tfjs-core gradient that no one registered yet (so custom gradients that
 * @lmkit/gpt-model registers stay in place); runs once per process.
 */
export function ensureGradientsRegistered(): Promise<void> {
  done ??= registerMissing();
  return done;
}

async function registerMissing(): Promise<void> {
  const dist = join(dirname(require.resolve('@tensorflow/tfjs-core/package.json')), 'dist');
  const source = readFileSync(join(dist, 'register_all_gradients.js'), 'utf8');
  const files = [...source.matchAll(/from '\.\/(gradients\/[A-Za-z0-9_]+)'/g)].map((m) => m[1]);
  for (const file of files) {
    let module: Record<string, tf.GradConfig>;
    try {
      module = await import(/* @vite-ignore */ `@tensorflow/tfjs-core/dist/${file}.js`);
    } catch {
      continue; // a few files reach back into the package index; their ops are rare in a GPT
    }
    for (const config of Object.values(module)) {
      if (config?.kernelName && !tf.getGradient(config.kernelName)) tf.registerGradient(config);
    }
  }
}
