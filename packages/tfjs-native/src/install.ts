// The native kernels as one kernel family: the descriptor @lmkit/gpt-model's runtime installs
// (`setBackend` does it from its list; `installKernelFamily(family, backend)` by hand). This
// package has no installer of its own: `createNativeKernelFamily(options)` makes a family with
// other threads, a subset of the kernels or another addon path, for the same installer.
import { availableParallelism } from 'node:os';
import {
  findBackend,
  type GradConfig,
  type KernelConfig,
  type KernelFunc,
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

export interface NativeKernelFamilyOptions {
  /** OpenBLAS threads, set at each install; default: `defaultThreads()` at that moment. */
  threads?: number;
  /** Kernel names to install; default: all of `nativeKernelNames`. */
  kernels?: readonly string[];
  /** Path of the compiled addon; default: the one the install script builds. */
  addonPath?: string;
  /** Do not print the one-line hint on stderr when the addon is missing. */
  quiet?: boolean;
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

let hintPrinted = false;

export const fastPathHint =
  'install OpenBLAS and a C compiler (Debian/Ubuntu: apt-get install -y libopenblas-dev build-essential), then run `pnpm rebuild @lmkit/tfjs-native`';

/** The default thread count: LMKIT_TFJS_NATIVE_THREADS when set, else every available core. */
export function defaultThreads(): number {
  const fromEnv = Number(process.env.LMKIT_TFJS_NATIVE_THREADS);
  return Number.isInteger(fromEnv) && fromEnv >= 1 ? fromEnv : availableParallelism();
}

function checkOptions(options: NativeKernelFamilyOptions): void {
  const { threads, kernels } = options;
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1 || threads > 1024)) {
    throw new TfjsNativeError(
      `threads must be an integer in [1, 1024], got ${threads}; omit it to use every core`,
    );
  }
  const unknown = (kernels ?? []).filter((name) => !(name in kernelFactories));
  if (unknown.length > 0) {
    throw new TfjsNativeError(
      `unknown kernel name(s) ${unknown.join(', ')}; choose from ${nativeKernelNames.join(', ')}`,
    );
  }
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

/** A kernel family of this package's kernels; throws `TfjsNativeError` for bad options. */
export function createNativeKernelFamily(options: NativeKernelFamilyOptions = {}) {
  checkOptions(options);
  const { addonPath, quiet } = options;
  const wanted = options.kernels ?? nativeKernelNames;
  return {
    name: 'tfjs-native',
    backend: ['wasm', 'cpu'] as readonly string[],
    available(backendName: string): { available: true } | { available: false; reason: string } {
      const found = availability(backendName, addonPath, quiet);
      return 'addon' in found ? { available: true } : { available: false, reason: found.reason };
    },
    setup(backendName: string): void {
      const found = availability(backendName, addonPath, true);
      if ('addon' in found) found.addon.setThreads(options.threads ?? defaultThreads());
    },
    kernels(
      backendName: string,
    ): Record<string, (previous: KernelConfig | undefined) => KernelFunc> {
      const found = availability(backendName, addonPath, true);
      if (!('addon' in found)) throw new TfjsNativeError(found.reason);
      const backend = backendName as SupportedBackendName;
      return Object.fromEntries(
        wanted.map((name) => [
          name,
          (previous: KernelConfig | undefined) =>
            kernelFactories[name](found.addon, backend, previous),
        ]),
      );
    },
    gradients: nativeGradients,
  };
}

/**
 * This package as a kernel family (the shape @lmkit/gpt-model's runtime installs:
 * `{ name, backend, available, setup, kernels, gradients }`), with every kernel and the default
 * threads. gpt-model's `setBackend` installs it on wasm and cpu when this package is installed;
 * nothing here imports gpt-model.
 */
export const nativeKernelFamily = createNativeKernelFamily();
