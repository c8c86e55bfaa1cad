// OpenAI / Hugging Face chat JSONL (`{"messages": [{"role", "content"}]}` per line), including
// distillation sets with `reasoning_content` (DeepSeek-R1 style) kept as `reasoning`, and optionally
// `<think>…</think>` at the start of assistant content split out the same way.

import { type Conversation, checkConversation, type Message } from './conversation.ts';
import { rejectProblem } from './converters-rows.ts';
import { type InvalidInputOptions, readJsonLines } from './json-lines.ts';

export interface ReadChatJsonlOptions extends InvalidInputOptions {
  path: string;
  /** Move a leading `<think>…</think>` of assistant content into `reasoning`; default false. */
  splitThink?: boolean;
}

/** Streams conversations from a chat JSONL file (.jsonl, .jsonl.gz, .jsonl.zst). */
export async function* readChatJsonl(options: ReadChatJsonlOptions): AsyncIterable<Conversation> {
  for await (const record of readJsonLines(options)) {
    const conversation = toConversation(record.value, options.splitThink ?? false);
    const problem = checkConversation(conversation);
    if (problem) {
      rejectProblem(options, record.lineNumber, problem);
      continue;
    }
    if (options.report) options.report.yielded++;
    yield conversation as Conversation;
  }
}

/** A chat row's messages normalised (text parts joined, `reasoning_content` kept); unchecked. */
export function toConversation(value: unknown, splitThink: boolean): unknown {
  const messages = (value as { messages?: unknown } | null)?.messages;
  if (!Array.isArray(messages)) return value;
  const out = messages.map((raw): unknown => {
    if (raw === null || typeof raw !== 'object') return raw;
    const m = raw as Record<string, unknown>;
    const message: { role: Message['role']; content: unknown; reasoning?: unknown } = {
      role: m.role as Message['role'],
      content: textOf(m.content),
    };
    const reasoning = m.reasoning_content ?? m.reasoning;
    if (reasoning !== undefined && reasoning !== null && reasoning !== '')
      message.reasoning = reasoning;
    if (splitThink && message.role === 'assistant' && typeof message.content === 'string') {
      const match = /^\s*<think>([\s\S]*?)<\/think>\s*/.exec(message.content);
      if (match && message.reasoning === undefined) {
        message.reasoning = match[1].trim();
        message.content = message.content.slice(match[0].length);
      }
    }
    return message;
  });
  return { messages: out };
}

/** OpenAI content may be a list of parts: the text parts joined. */
function textOf(content: unknown): unknown {
  if (!Array.isArray(content)) return content;
  if (!content.every((part) => part?.type === 'text' && typeof part.text === 'string'))
    return content;
  return content.map((part) => part.text).join('');
}
