// The chat markers and the text form of a conversation (the GPT-4 style protocol):
// `<|im_start|>{role}<|im_sep|>{content}<|im_end|>`, reasoning between <think> and </think> inside
// an assistant turn. Token-level rendering with loss masks is in render.ts; this file has no tokenizer.

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

export type Role = 'system' | 'user' | 'assistant';
export const ROLES: readonly Role[] = ['system', 'user', 'assistant'];

export interface Message {
  role: Role;
  content: string;
  /** Chain of thought before the answer (assistant messages only). */
  reasoning?: string;
}

export interface Conversation {
  messages: Message[];
}

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
