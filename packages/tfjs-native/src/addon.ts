// Loads the compiled N-API addon (build/Release/lmkit_tfjs_native.node) if it was built at
// install time; a missing or broken file is reported as a reason string, never thrown.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { type AttentionAddon, attentionAddonFunctions } from './attention.ts';
import { type CrossEntropyAddon, crossEntropyAddonFunctions } from './cross-entropy.ts';
import { type DecodeAddon, decodeAddonFunctions } from './decode.ts';
import { type GatherAddon, gatherAddonFunctions } from './gather.ts';
import { type LinearAddon, linearAddonFunctions } from './linear.ts';
import { type OptimizerAddon, optimizerAddonFunctions } from './optimizer.ts';

/** The functions the addon exports. Arrays are read and written in place (zero copy). */
export type NativeAddon = CoreAddon &
  AttentionAddon &
  CrossEntropyAddon &
  DecodeAddon &
  GatherAddon &
  LinearAddon &
  OptimizerAddon;

/** The core functions (sgemm, elementwise, LayerNorm, threads). */
export interface CoreAddon {
  /** out[i] = op(a[aIndex[i]]) · op(b[bIndex[i]]), each an m×k by k×n row-major product. */
  sgemmBatched(
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean,
    aIndex: Int32Array,
    bIndex: Int32Array,
  ): void;
  /** out = f(x) elementwise; op 0 = exp, 1 = tanh, 2 = GPT-2's tanh-GELU. */
  unary(op: number, x: Float32Array, out: Float32Array): void;
  /** out = dy · GELU'(x). */
  geluGrad(x: Float32Array, dy: Float32Array, out: Float32Array): void;
  /** LayerNorm of each row of x (length = gamma's); beta may be empty. */
  layerNorm(
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    out: Float32Array,
    epsilon: number,
  ): void;
  /** One gradient of layerNorm for upstream dy: which 0 = dx, 1 = dgamma, 2 = dbeta. */
  layerNormGrad(
    which: number,
    dy: Float32Array,
    x: Float32Array,
    gamma: Float32Array,
    out: Float32Array,
    epsilon: number,
  ): void;
  /** Broadcasting a (op) b; op 0 add, 1 sub, 2 mul, 3 div, 4 equal (out is then a Uint8Array). */
  binary(
    op: number,
    a: Float32Array,
    b: Float32Array,
    out: Float32Array | Uint8Array,
    shape: Int32Array,
    aStrides: Int32Array,
    bStrides: Int32Array,
  ): void;
  /** x viewed as (outer, reduce, inner) summed over the middle axis into out (outer, inner). */
  sum(x: Float32Array, out: Float32Array, outer: number, reduce: number, inner: number): void;
  /** Sets OpenBLAS's thread count and the count our own kernels use. */
  setThreads(threads: number): void;
  /** OpenBLAS's current thread count. */
  getThreads(): number;
  /** The OpenBLAS build string and the CPU core type it dispatched to. */
  blasInfo(): { config: string; core: string };
}

export type AddonLoadResult =
  | { addon: NativeAddon; path: string }
  | { reason: string; path: string };

/** Where the install script puts the addon (the same path from src/ and from dist/). */
export const defaultAddonPath = fileURLToPath(
  new URL('../build/Release/lmkit_tfjs_native.node', import.meta.url),
);

/** Every function this version of the package calls; an older build lacking one is not used. */
const addonFunctions = [
  'sgemmBatched',
  'unary',
  'geluGrad',
  'layerNorm',
  'layerNormGrad',
  'binary',
  'sum',
  'setThreads',
  'getThreads',
  'blasInfo',
  ...attentionAddonFunctions,
  ...crossEntropyAddonFunctions,
  ...decodeAddonFunctions,
  ...gatherAddonFunctions,
  ...linearAddonFunctions,
  ...optimizerAddonFunctions,
];

const cache = new Map<string, AddonLoadResult>();

/** Loads the addon once per path; later calls return the same result. */
export function loadAddon(path: string = defaultAddonPath): AddonLoadResult {
  const cached = cache.get(path);
  if (cached) return cached;
  let result: AddonLoadResult;
  if (!existsSync(path)) {
    result = { path, reason: `the native addon was not built (no file at ${path})` };
  } else {
    try {
      const addon = createRequire(import.meta.url)(path) as NativeAddon;
      const missing = addonFunctions.filter(
        (name) => typeof (addon as unknown as Record<string, unknown>)[name] !== 'function',
      );
      result =
        missing.length === 0
          ? { path, addon }
          : {
              path,
              reason: `${path} is not the current lmkit tfjs-native addon (missing ${missing.join(', ')}); rebuild it with \`pnpm rebuild @lmkit/tfjs-native\``,
            };
    } catch (error) {
      result = {
        path,
        reason: `the native addon at ${path} failed to load: ${(error as Error).message}`,
      };
    }
  }
  cache.set(path, result);
  return result;
}
