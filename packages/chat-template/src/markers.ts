// The chat markers and the text form of a conversation (the GPT-4 style protocol).
// Token-level rendering with loss masks builds on these names; this file has no tokenizer.

export const IM_START = '<|im_start|>';
export const IM_SEP = '<|im_sep|>';
export const IM_END = '<|im_end|>';

export type Role = 'system' | 'user' | 'assistant';

export interface Message {
  role: Role;
  content: string;
  reasoning?: string;
}

export interface Conversation {
  messages: Message[];
}

/**
 * The conversation as text: `<|im_start|>user<|im_sep|>Hi<|im_end|>` per message, and with
 * `addGenerationPrompt` a trailing `<|im_start|>assistant<|im_sep|>` for the model to complete.
 */
export function renderText(
  conversation: Conversation,
  options: { addGenerationPrompt?: boolean } = {},
) {
  let text = '';
  for (const message of conversation.messages) {
    text += `${IM_START}${message.role}${IM_SEP}${message.content}${IM_END}`;
  }
  if (options.addGenerationPrompt) text += `${IM_START}assistant${IM_SEP}`;
  return text;
}
