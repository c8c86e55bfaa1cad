// A conversation as token ids with the chat markers, through @lmkit/chat-template: message text
// is encoded as ordinary text, so "<|im_end|>" typed by a user stays text. Turns are never
// dropped silently: a conversation longer than the context is refused by the caller (400).
import { ChatTemplateError, render } from '@lmkit/chat-template';
import type { ChatMessage, TokenizerLike } from './engine.ts';
import { ChatServerError } from './errors.ts';

export function renderConversation(
  messages: ChatMessage[],
  tokenizer: TokenizerLike,
  options: { addGenerationPrompt: boolean },
) {
  try {
    const rendered = render({ messages }, tokenizer, options);
    // The loss mask is 1 exactly on what the assistant wrote: its replies, for the token view.
    return { ids: rendered.ids, replyMask: rendered.lossMask };
  } catch (error) {
    if (!(error instanceof ChatTemplateError)) throw error;
    throw new ChatServerError({
      status: 500,
      type: 'server_error',
      message: `cannot render the conversation: ${error.message}`,
    });
  }
}
