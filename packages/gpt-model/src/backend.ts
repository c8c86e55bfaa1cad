// Backend selection at run time: native TensorFlow (tfjs-node-gpu, then tfjs-node) only when its
// addon file exists, else the wasm backend with our kernel fixes, else the pure-JS cpu backend.
// Nothing registers at import time: `setBackend` does all of it.
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { GPTModelError } from './errors.ts';
import { registerGradients } from './gradients.ts';
import { registerSegmentSum } from './kernels/segment-sum.ts';
import { registerWasmIdentity } from './kernels/wasm-identity.ts';
import { registerWasmBatchMatMul } from './kernels/wasm-matmul.ts';
import { configureNativeKernels, nativeKernelsActive } from './native-kernels.ts';

export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

const nativePackages = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;
const require = createRequire(import.meta.url);

/** Resolves from this package, then from the application (pnpm keeps an app's deps to itself). */
function resolvePackageRoot(name: string, appDir: string): string | undefined {
  const fromApp = createRequire(join(appDir, 'package.json'));
  for (const resolver of [require, fromApp]) {
    try {
      return dirname(resolver.resolve(`${name}/package.json`));
    } catch {}
  }
  return undefined;
}

/**
 * The first installed native TensorFlow.js package (tfjs-node-gpu, then tfjs-node) whose addon
 * file exists, as a path to import; looked up from this package and from `appDir`.
 */
export function findNativeTensorflow(appDir = process.cwd()): string | undefined {
  for (const name of nativePackages) {
    const root = resolvePackageRoot(name, appDir);
    if (!root) continue;
    const lib = join(root, 'lib');
    if (!existsSync(lib)) continue;
    const hasAddon = readdirSync(lib).some(
      (entry) => entry.startsWith('napi-v') && existsSync(join(lib, entry, 'tfjs_binding.node')),
    );
    if (hasAddon) return createRequire(join(root, 'package.json')).resolve(name);
  }
  return undefined;
}

async function useTensorflow(): Promise<boolean> {
  const name = findNativeTensorflow();
  if (!name) return false;
  await import(pathToFileURL(name).href);
  return tf.setBackend('tensorflow');
}

async function useWasm(): Promise<boolean> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (!tf.findBackendFactory('wasm')) throw new GPTModelError('wasm backend did not register');
  // Node loads the .wasm files from disk: point the loader at the package's dist folder.
  wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
  registerSegmentSum('wasm');
  // Native kernels, once installed, sit on top of these fixes and fall back to them.
  if (!nativeKernelsActive('wasm')) {
    registerWasmBatchMatMul();
    registerWasmIdentity();
  }
  return tf.setBackend('wasm');
}

async function useCpu(): Promise<boolean> {
  await import('@tensorflow/tfjs-backend-cpu');
  registerSegmentSum('cpu');
  return tf.setBackend('cpu');
}

export interface SetBackendOptions {
  /**
   * Use @lmkit/tfjs-native's kernels on wasm and cpu when that package and its addon are
   * installed. Default true, unless the environment sets LMKIT_NATIVE_KERNELS=0.
   */
  nativeKernels?: boolean;
}

/**
 * Selects the TensorFlow.js backend and registers this package's kernel fixes for it. `auto`
 * prefers native TensorFlow when its addon is installed, then wasm, then cpu. On wasm and cpu,
 * @lmkit/tfjs-native's kernels are installed on top when available (see `nativeKernelStatus`).
 * Returns the name in use. An explicit preference that cannot be met throws a GPTModelError
 * naming the fix.
 */
export async function setBackend(
  preference: BackendPreference = 'auto',
  options: SetBackendOptions = {},
): Promise<string> {
  registerGradients();
  if (preference === 'tensorflow') {
    if (!(await useTensorflow()))
      throw new GPTModelError(
        'backend "tensorflow" requested but no native TensorFlow.js addon is installed; run `pnpm add @tensorflow/tfjs-node-gpu` (CUDA) or `pnpm add @tensorflow/tfjs-node`, or use "wasm"',
      );
  } else if (preference === 'wasm') {
    if (!(await useWasm())) throw new GPTModelError('the wasm backend failed to initialise');
  } else if (preference === 'cpu') {
    await useCpu();
  } else if (preference === 'auto') {
    const ok =
      (await useTensorflow().catch(() => false)) ||
      (await useWasm().catch(() => false)) ||
      (await useCpu());
    if (!ok) throw new GPTModelError('no TensorFlow.js backend could be initialised');
  } else {
    throw new GPTModelError(
      `unknown backend "${preference as string}"; use 'auto', 'tensorflow', 'wasm' or 'cpu'`,
    );
  }
  await tf.ready();
  const backend = tf.getBackend();
  if (backend === 'wasm' || backend === 'cpu') {
    const wanted = options.nativeKernels ?? process.env.LMKIT_NATIVE_KERNELS !== '0';
    await configureNativeKernels(backend, wanted);
  }
  return backend;
}
