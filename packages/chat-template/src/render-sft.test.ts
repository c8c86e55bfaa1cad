import { describe, expect, it } from 'vitest';
import {
  ChatTemplateError,
  type Conversation,
  type Message,
  parse,
  renderForSft,
} from './index.ts';
import { byteTokenizer } from './testing/index.ts';

const tok = byteTokenizer();
const long = (word: string) => `${word} `.repeat(120).trim();
const exchange = (question: string, answer: string): Message[] => [
  { role: 'user', content: question },
  { role: 'assistant', content: answer },
];
/** Fits; truncated after its first exchange; first reply cut; no room for a reply. */
const conversations: Conversation[] = [
  { messages: exchange('Hi', 'Hello.') },
  { messages: [...exchange('Hi', 'Hello.'), ...exchange(long('why'), 'Because.')] },
  { messages: [{ role: 'system', content: 'Be kind.' }, ...exchange('Tell me.', long('story'))] },
  { messages: exchange(long('question'), 'Yes.') },
];

describe('renderForSft', () => {
  it('truncates long conversations at a turn boundary and skips only those with no room', () => {
    const out = renderForSft(conversations, tok, { maxTokens: 64 });
    expect(out).toMatchObject({ truncated: 2, cutReplies: 1, skipped: 1 });
    expect(out.examples.map((e) => [e.droppedMessages, e.droppedFrom])).toEqual([
      [0, 'none'],
      [2, 'end'],
      [0, 'end'],
    ]);
    for (const example of out.examples) expect(example.ids.length).toBeLessThanOrEqual(64);
    expect(parse(out.examples[1].ids, tok)).toEqual({
      messages: conversations[1].messages.slice(0, 2),
      complete: true,
    });
    const cut = parse(out.examples[2].ids, tok);
    expect(cut.complete).toBe(false);
    expect(cut.messages[0]).toEqual(conversations[2].messages[0]);
    expect(cut.messages[2].content).toMatch(/^story story/);
    expect(out.examples[2].lossMask.at(-1)).toBe(1);
    // Everything fits in a large enough context: nothing truncated or skipped.
    expect(renderForSft(conversations, tok, { maxTokens: 10_000 })).toMatchObject({
      truncated: 0,
      cutReplies: 0,
      skipped: 0,
    });
  });

  it('skips only conversations that do not fit: bad input and a bad maxTokens still throw', () => {
    const bad = { messages: [{ role: 'robot', content: 'x' }] } as unknown as Conversation;
    expect(() => renderForSft([bad], tok, { maxTokens: 64 })).toThrow(ChatTemplateError);
    expect(() => renderForSft([bad], tok, { maxTokens: 64 })).toThrow(/role is "robot"/);
    expect(() => renderForSft(conversations, tok, { maxTokens: 0 })).toThrow(
      /maxTokens 0 must be a positive integer/,
    );
    expect(renderForSft([conversations[3]], tok, { maxTokens: 64 })).toEqual({
      examples: [],
      truncated: 0,
      cutReplies: 0,
      skipped: 1,
    });
  });
});
