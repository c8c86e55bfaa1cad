// The chat markers and the text form of a conversation (the GPT-4 style protocol):
// `<|im_start|>{role}<|im_sep|>{content}<|im_end|>`, reasoning between <think> and </think> inside
// an assistant turn. Token-level rendering with loss masks is in render.ts; this file has no tokenizer.

import {
  type Conversation,
  IM_END,
  IM_SEP,
  IM_START,
  type Message,
  THINK_END,
  THINK_START,
} from '@lmkit/core';

// The markers and conversation shapes are declared once in @lmkit/core; re-exported for users of
// this package.
export {
  CHAT_MARKERS,
  type Conversation,
  END_OF_TEXT,
  IM_END,
  IM_SEP,
  IM_START,
  type Message,
  ROLES,
  type Role,
  THINK_END,
  THINK_START,
} from '@lmkit/core';

/** One message as protocol text (reasoning inside the assistant turn, before the content). */
export function messageText(message: Message): string {
  const thought =
    message.reasoning === undefined ? '' : `${THINK_START}${message.reasoning}${THINK_END}`;
  return `${IM_START}${message.role}${IM_SEP}${thought}${message.content}${IM_END}`;
}

/** The generation prompt: an open assistant turn for the model to complete. */
export const GENERATION_PROMPT = `${IM_START}assistant${IM_SEP}`;

/**
 * The conversation as text: `<|im_start|>user<|im_sep|>Hi<|im_end|>` per message, and with
 * `addGenerationPrompt` a trailing `<|im_start|>assistant<|im_sep|>` for the model to complete.
 */
export function renderText(
  conversation: Conversation,
  options: { addGenerationPrompt?: boolean } = {},
): string {
  let text = '';
  for (const message of conversation.messages) text += messageText(message);
  if (options.addGenerationPrompt) text += GENERATION_PROMPT;
  return text;
}
