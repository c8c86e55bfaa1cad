// The chat markers of the GPT-4 style protocol `<|im_start|>{role}<|im_sep|>{content}<|im_end|>`,
// reasoning between <think> and </think>, and the document separator. Rendering lives in
// @lmkit/chat-template; the strings live here so bpe, datasets and the apps agree on them.

export const IM_START = '<|im_start|>';
export const IM_SEP = '<|im_sep|>';
export const IM_END = '<|im_end|>';
/** Reasoning markers, special tokens like the others (so content can never forge them). */
export const THINK_START = '<think>';
export const THINK_END = '</think>';
/** Document separator used in pre-training shards. */
export const END_OF_TEXT = '<|endoftext|>';

/** Every special token the chat protocol uses, in the order new ids are assigned to them. */
export const CHAT_MARKERS = [
  END_OF_TEXT,
  IM_START,
  IM_SEP,
  IM_END,
  THINK_START,
  THINK_END,
] as const;
