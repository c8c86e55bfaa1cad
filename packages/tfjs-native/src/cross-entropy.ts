// CrossEntropy kernels (scaffold: the kernel family registers here; see native/cross_entropy.c).
import type { KernelFactory } from './kernel-factory.ts';

/** The addon functions this family adds. */
// biome-ignore lint/complexity/noBannedTypes: filled in by the family's kernels
export type CrossEntropyAddon = {};

/** Names of the addon functions above (a stale build lacking one is not used). */
export const crossEntropyAddonFunctions: readonly string[] = [];

export const crossEntropyKernels: Record<string, KernelFactory> = {};

/** Registers this family's gradients (once per process). */
export function registerCrossEntropyGradients(): void {}
