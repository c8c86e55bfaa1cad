// Decode kernels (scaffold: the kernel family registers here; see native/decode.c).
import type { KernelFactory } from './kernel-factory.ts';

/** The addon functions this family adds. */
// biome-ignore lint/complexity/noBannedTypes: filled in by the family's kernels
export type DecodeAddon = {};

/** Names of the addon functions above (a stale build lacking one is not used). */
export const decodeAddonFunctions: readonly string[] = [];

export const decodeKernels: Record<string, KernelFactory> = {};

/** Registers this family's gradients (once per process). */
export function registerDecodeGradients(): void {}
