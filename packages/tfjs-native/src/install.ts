// The native kernels as one kernel family (`nativeKernelFamily`, the descriptor @lmkit/gpt-model's
// runtime installs from its list), and installNativeKernels for using them without gpt-model:
// it registers the kernels for a backend that is already set up, replacing (and remembering) the
// kernels registered before, so uninstall restores them.
import { availableParallelism } from 'node:os';
import {
  findBackend,
  type GradConfig,
  getBackend,
  getGradient,
  getKernel,
  type KernelConfig,
  type KernelFunc,
  registerGradient,
  registerKernel,
  unregisterKernel,
} from '@tensorflow/tfjs-core';
import { loadAddon, type NativeAddon } from './addon.ts';
import { attentionGradients, attentionKernels } from './attention.ts';
import { batchMatMulKernel } from './batch-matmul.ts';
import { crossEntropyGradients, crossEntropyKernels } from './cross-entropy.ts';
import { decodeKernels } from './decode.ts';
import { elementwiseKernels } from './elementwise.ts';
import { TfjsNativeError } from './errors.ts';
import { gatherKernels } from './gather.ts';
import { geluGradients, geluKernels } from './gelu.ts';
import type { KernelFactory } from './kernel-factory.ts';
import { layerNormGradients, layerNormKernels } from './layer-norm.ts';
import { linearGradients, linearKernels } from './linear.ts';
import { optimizerKernels } from './optimizer.ts';
import { checkBackend, type SupportedBackendName } from './tensor-memory.ts';

export interface InstallNativeKernelsOptions {
  /** OpenBLAS threads; default: LMKIT_TFJS_NATIVE_THREADS, else the machine's available parallelism. */
  threads?: number;
  /** Kernel names to install; default: all of `nativeKernelNames`. */
  kernels?: readonly string[];
  /** Backend to install for; default: the active backend (`tf.getBackend()`). */
  backend?: SupportedBackendName;
  /** Path of the compiled addon; default: the one the install script builds. */
  addonPath?: string;
  /** Do not print the one-line hint on stderr when the addon is missing. */
  quiet?: boolean;
}

export interface InstallNativeKernelsResult {
  installed: boolean;
  /** Kernel names now served natively on `backend`. */
  kernels: string[];
  backend: string;
  /** Why nothing was installed (installed: false). */
  reason?: string;
  threads?: number;
}

const kernelFactories: Record<string, KernelFactory> = {
  BatchMatMul: batchMatMulKernel,
  ...elementwiseKernels,
  ...gatherKernels,
  ...linearKernels,
  ...geluKernels,
  ...layerNormKernels,
  ...attentionKernels,
  ...crossEntropyKernels,
  ...decodeKernels,
  ...optimizerKernels,
};

/** Every kernel name this package can install. */
export const nativeKernelNames = Object.keys(kernelFactories);

/** The gradients of the differentiable native kernels (the others are inference or optimizer). */
export const nativeGradients: readonly GradConfig[] = [
  ...geluGradients,
  ...layerNormGradients,
  ...linearGradients,
  ...attentionGradients,
  ...crossEntropyGradients,
];

function registerNativeGradients(): void {
  for (const config of nativeGradients) {
    if (!getGradient(config.kernelName)) registerGradient(config);
  }
}

/** Per backend: kernel name → the config we replaced (undefined when there was none). */
const replaced = new Map<string, Map<string, KernelConfig | undefined>>();
let hintPrinted = false;

export const fastPathHint =
  'install OpenBLAS and a C compiler (Debian/Ubuntu: apt-get install -y libopenblas-dev build-essential), then run `pnpm rebuild @lmkit/tfjs-native`';

/** The default thread count: LMKIT_TFJS_NATIVE_THREADS when set, else every available core. */
export function defaultThreads(): number {
  const fromEnv = Number(process.env.LMKIT_TFJS_NATIVE_THREADS);
  return Number.isInteger(fromEnv) && fromEnv >= 1 ? fromEnv : availableParallelism();
}

function validThreads(threads: number | undefined): number {
  const value = threads ?? defaultThreads();
  if (!Number.isInteger(value) || value < 1 || value > 1024) {
    throw new TfjsNativeError(
      `threads must be an integer in [1, 1024], got ${threads}; omit it to use every core`,
    );
  }
  return value;
}

type Availability = { addon: NativeAddon } | { reason: string };

/** The addon, or why the native kernels cannot serve `backendName` now. */
function availability(backendName: string, addonPath?: string, quiet = false): Availability {
  if (backendName !== 'wasm' && backendName !== 'cpu') {
    return { reason: `backend '${backendName}' has no native kernels (only wasm and cpu do)` };
  }
  const loaded = loadAddon(addonPath);
  if (!('addon' in loaded)) {
    if (!quiet && !hintPrinted) {
      hintPrinted = true;
      process.stderr.write(
        `@lmkit/tfjs-native: ${loaded.reason}; using TensorFlow.js's stock ${backendName} kernels. For the fast path: ${fastPathHint}\n`,
      );
    }
    return { reason: loaded.reason };
  }
  const backend = findBackend(backendName);
  if (!backend) {
    return {
      reason: `backend '${backendName}' is not initialised; await tf.setBackend('${backendName}') first`,
    };
  }
  const problem = checkBackend(backendName, backend);
  return problem ? { reason: problem } : { addon: loaded.addon };
}

/**
 * This package as a kernel family (the shape @lmkit/gpt-model's runtime installs:
 * `{ name, backend, available, setup, kernels, gradients }`). gpt-model's `setBackend` installs
 * it on wasm and cpu when this package is installed; nothing here imports gpt-model.
 */
export const nativeKernelFamily = {
  name: 'tfjs-native',
  backend: ['wasm', 'cpu'] as readonly string[],
  available(backendName: string): { available: true } | { available: false; reason: string } {
    const found = availability(backendName);
    return 'addon' in found ? { available: true } : { available: false, reason: found.reason };
  },
  setup(backendName: string): void {
    const found = availability(backendName, undefined, true);
    if ('addon' in found) found.addon.setThreads(defaultThreads());
  },
  kernels(backendName: string): Record<string, (previous: KernelConfig | undefined) => KernelFunc> {
    const found = availability(backendName, undefined, true);
    if (!('addon' in found)) throw new TfjsNativeError(found.reason);
    const backend = backendName as SupportedBackendName;
    return Object.fromEntries(
      Object.entries(kernelFactories).map(([name, factory]) => [
        name,
        (previous: KernelConfig | undefined) => factory(found.addon, backend, previous),
      ]),
    );
  },
  gradients: nativeGradients,
};

/** Registers the native kernels for `backend` (after `tf.setBackend` and any other overrides). */
export async function installNativeKernels(
  options: InstallNativeKernelsOptions = {},
): Promise<InstallNativeKernelsResult> {
  const threads = validThreads(options.threads);
  const wanted = options.kernels ?? Object.keys(kernelFactories);
  const unknown = wanted.filter((name) => !(name in kernelFactories));
  if (unknown.length > 0) {
    throw new TfjsNativeError(
      `unknown kernel name(s) ${unknown.join(', ')}; choose from ${Object.keys(kernelFactories).join(', ')}`,
    );
  }
  const backendName = options.backend ?? getBackend();
  const found = availability(backendName, options.addonPath, options.quiet);
  if (!('addon' in found)) {
    return { installed: false, kernels: [], backend: backendName, reason: found.reason };
  }
  found.addon.setThreads(threads);
  registerNativeGradients();
  const saved = replaced.get(backendName) ?? new Map<string, KernelConfig | undefined>();
  replaced.set(backendName, saved);
  for (const kernelName of wanted) {
    const factory = kernelFactories[kernelName];
    const current = getKernel(kernelName, backendName);
    if (!saved.has(kernelName)) saved.set(kernelName, current);
    const previous = saved.get(kernelName);
    if (current) unregisterKernel(kernelName, backendName);
    // Keep the replaced kernel's setup so a re-initialised backend still prepares its fallback.
    registerKernel({
      kernelName,
      backendName,
      setupFunc: previous?.setupFunc,
      kernelFunc: factory(found.addon, backendName as SupportedBackendName, previous),
    });
  }
  return { installed: true, kernels: [...saved.keys()], backend: backendName, threads };
}

/** Restores the kernels that `installNativeKernels` replaced on `backend`; returns their names. */
export function uninstallNativeKernels(options: { backend?: SupportedBackendName } = {}): string[] {
  const backendName = options.backend ?? getBackend();
  const saved = replaced.get(backendName);
  if (!saved) return [];
  for (const [kernelName, previous] of saved) {
    if (getKernel(kernelName, backendName)) unregisterKernel(kernelName, backendName);
    if (previous) registerKernel(previous);
  }
  replaced.delete(backendName);
  return [...saved.keys()];
}

/** Kernel names currently installed natively on `backend`. */
export function installedNativeKernels(backend: string): string[] {
  return [...(replaced.get(backend)?.keys() ?? [])];
}
