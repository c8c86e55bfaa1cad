// The ops that run this package's kernels and the installer of kernel families: @lmkit/gpt-model's
// runtime (one implementation of each op and its tfjs fallback, one install loop). Imported by
// path, not by package name: gpt-model already depends on this package (for its tests), and a
// dependency back would make the workspace graph a cycle.
import {
  type FamilyStatus,
  installKernelFamily,
  uninstallKernelFamily,
} from '../../../gpt-model/src/runtime/index.ts';
import { createNativeKernelFamily, type NativeKernelFamilyOptions } from '../index.ts';

export {
  type AdamWUpdateOptions,
  adamwUpdate,
  causalAttention,
  columnSum,
  crossEntropy,
  gelu,
  layerNorm,
  linear,
  sumOfSquares,
} from '../../../gpt-model/src/runtime/index.ts';

/** Installs this package's family (all kernels unless `options.kernels`) on `backend`. */
export function installNative(
  backend: string,
  options: NativeKernelFamilyOptions = {},
): Promise<FamilyStatus> {
  return installKernelFamily(createNativeKernelFamily(options), backend);
}

/** Puts back the kernels the family replaced on `backend`; returns their names. */
export function uninstallNative(backend: string): string[] {
  return uninstallKernelFamily('tfjs-native', backend, 'uninstalled by the test');
}
