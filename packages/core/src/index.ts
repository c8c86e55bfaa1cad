// @lmkit/core: the contracts and runtime pieces two or more lmkit packages share. Nothing here is
// used by only one package. This root is browser-safe; Node-only pieces are subpath exports:
// `@lmkit/core/documents` (Document file I/O) and `@lmkit/core/workers` (the worker pool).
export type {
  Conversation,
  Document,
  FinishReason,
  GenerateOptions,
  Message,
  Role,
  SamplingOptions,
  TokenizerLike,
} from './contracts.ts';
export { ROLES } from './contracts.ts';
export { LmkitError, type LmkitErrorOptions } from './errors.ts';
export {
  CHAT_MARKERS,
  END_OF_TEXT,
  IM_END,
  IM_SEP,
  IM_START,
  THINK_END,
  THINK_START,
} from './markers.ts';
export { type RandomState, SeededRandom } from './random.ts';
