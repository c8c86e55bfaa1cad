// Optional native CPU kernels: when @lmkit/tfjs-native is installed and its addon built, its
// OpenBLAS/SIMD kernels replace the wasm or cpu backend's own (after this package's fixes).
// Without it everything runs on the pure-wasm path; tfjs-native prints a one-line hint once.

import * as tf from '@tensorflow/tfjs-core';

type NativeModule = typeof import('@lmkit/tfjs-native');

/**
 * Whether @lmkit/tfjs-native registered `kernelName` (with its gradient) on the active backend.
 * The model calls those kernels by name: the names are the contract with that package.
 */
export function nativeKernel(kernelName: string): boolean {
  return tf.getKernel(kernelName, tf.getBackend()) !== undefined;
}

export interface NativeKernelStatus {
  /** Whether native kernels are installed on the backend now. */
  installed: boolean;
  kernels: string[];
  /** Why not, when not installed. */
  reason?: string;
}

let nativeModule: Promise<NativeModule | undefined> | undefined;
const statusByBackend = new Map<string, NativeKernelStatus>();

function loadNativeModule(): Promise<NativeModule | undefined> {
  nativeModule ??= import('@lmkit/tfjs-native').catch(() => undefined);
  return nativeModule;
}

/** Whether native kernels currently replace `backend`'s own (so this package must not re-register). */
export function nativeKernelsActive(backend: string): boolean {
  return statusByBackend.get(backend)?.installed === true;
}

/** What happened to native kernels on `backend` at the last `setBackend`. */
export function nativeKernelStatus(backend: string): NativeKernelStatus {
  return (
    statusByBackend.get(backend) ?? {
      installed: false,
      kernels: [],
      reason: 'setBackend has not run for this backend',
    }
  );
}

/**
 * Installs (`wanted`) or removes native kernels on a wasm or cpu backend. Idempotent: kernels
 * installed earlier stay installed, so repeated `setBackend` calls do not stack wrappers.
 */
export async function configureNativeKernels(
  backend: string,
  wanted: boolean,
): Promise<NativeKernelStatus> {
  const native = await loadNativeModule();
  let status: NativeKernelStatus;
  if (!native) {
    status = { installed: false, kernels: [], reason: '@lmkit/tfjs-native is not installed' };
  } else if (!wanted) {
    native.uninstallNativeKernels({ backend: backend as 'wasm' | 'cpu' });
    status = {
      installed: false,
      kernels: [],
      reason: 'turned off (nativeKernels: false or LMKIT_NATIVE_KERNELS=0)',
    };
  } else if (native.installedNativeKernels(backend).length > 0) {
    status = { installed: true, kernels: native.installedNativeKernels(backend) };
  } else {
    const result = await native.installNativeKernels({ backend: backend as 'wasm' | 'cpu' });
    status = { installed: result.installed, kernels: result.kernels, reason: result.reason };
  }
  statusByBackend.set(backend, status);
  return status;
}
