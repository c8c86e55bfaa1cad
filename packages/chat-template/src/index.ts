// Public API of @lmkit/chat-template.
export { type MarkerPlan, planChatMarkers } from './added-markers.ts';
export { ChatTemplateError, ContextOverflowError } from './errors.ts';
export {
  chatTemplateFromConfig,
  LMKIT_CHAT_TEMPLATE,
  type RenderChatTemplateOptions,
  renderChatTemplate,
  specialTokensFromConfig,
} from './hf-template.ts';
export {
  CHAT_MARKERS,
  type Conversation,
  END_OF_TEXT,
  GENERATION_PROMPT,
  IM_END,
  IM_SEP,
  IM_START,
  type Message,
  messageText,
  ROLES,
  type Role,
  renderText,
  THINK_END,
  THINK_START,
} from './markers.ts';
export { type Parsed, parse, parseReply } from './parse.ts';
export { type KeepTurns, type Rendered, type RenderOptions, render } from './render.ts';
export {
  type PairsRendering,
  type PreferencePairMessages,
  type RenderedPair,
  type RenderPairOptions,
  renderPair,
  renderPairs,
} from './render-pair.ts';
export { renderForSft, type SftRendering } from './render-sft.ts';
export { type MarkerIds, markerIds, type TokenizerLike } from './tokenizer.ts';
