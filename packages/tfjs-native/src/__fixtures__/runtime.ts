// The ops that run this package's kernels: @lmkit/gpt-model's runtime (one implementation of each
// op and its tfjs fallback). Imported by path, not by package name: gpt-model already depends on
// this package (for its tests), and a dependency back would make the workspace graph a cycle.
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
