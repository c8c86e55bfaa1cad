// Public API of @lmkit/bpe.
export { mergePair, pairCounts } from './merge.ts';
