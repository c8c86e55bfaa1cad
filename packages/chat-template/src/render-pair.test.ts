import { SeededRandom } from '@lmkit/core';
import { describe, expect, it } from 'vitest';
import {
  ChatTemplateError,
  type Message,
  type PreferencePairMessages,
  parse,
  render,
  renderPair,
  renderPairs,
} from './index.ts';
import { byteTokenizer } from './testing/index.ts';

const tok = byteTokenizer();
const user = (content: string): Message => ({ role: 'user', content });
const assistant = (content: string): Message => ({ role: 'assistant', content });
const words = (word: string, n: number) => `${word} `.repeat(n).trim();

const short: PreferencePairMessages = {
  prompt: [user('Capital of France?')],
  chosen: [assistant('Paris.')],
  rejected: [assistant('Berlin, I think.')],
};

/** The tokens of `ids` where `mask` is 1, decoded. */
const trained = (ids: number[], mask: number[]) => tok.decode(ids.filter((_, i) => mask[i] === 1));

describe('renderPair', () => {
  it('renders a pair that fits as the prompt followed by each reply, training the reply only', () => {
    const out = renderPair(short, tok, { maxTokens: 256 });
    const whole = render({ messages: [...short.prompt, ...short.chosen] }, tok);
    expect(out.chosen.ids).toEqual(whole.ids);
    expect(out.chosen.lossMask).toEqual(whole.lossMask);
    expect(out.chosen.ids.slice(0, out.promptTokens)).toEqual(
      out.rejected.ids.slice(0, out.promptTokens),
    );
    expect(trained(out.rejected.ids, out.rejected.lossMask)).toBe('Berlin, I think.<|im_end|>');
    expect(out.chosen.droppedFrom).toBe('none');
    expect(out.droppedPromptMessages).toBe(0);
  });

  it('does not train on assistant turns inside the prompt', () => {
    const pair = {
      ...short,
      prompt: [user('Hi'), assistant('Hello!'), user('Capital of France?')],
    };
    const out = renderPair(pair, tok, { maxTokens: 256 });
    expect(trained(out.chosen.ids, out.chosen.lossMask)).toBe('Paris.<|im_end|>');
  });

  it('drops whole prompt turns from the front (system kept) before cutting a reply', () => {
    const pair = {
      prompt: [
        { role: 'system', content: 'Be brief.' } as Message,
        user(words('old', 40)),
        assistant(words('answer', 40)),
        user('Capital of France?'),
      ],
      chosen: [assistant('Paris.')],
      rejected: [assistant('Berlin.')],
    };
    const out = renderPair(pair, tok, { maxTokens: 128 });
    expect(out.droppedPromptMessages).toBe(2);
    for (const side of [out.chosen, out.rejected]) {
      expect(side.ids.length).toBeLessThanOrEqual(128);
      expect(side.cutReply).toBe(false);
      expect(side.droppedFrom).toBe('front');
      const { messages } = parse(side.ids, tok);
      expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant']);
    }
  });

  it('cuts a long reply at the end to fill the context, the prompt kept within its share', () => {
    const pair = {
      prompt: [user('Tell me a story.')],
      chosen: [assistant(words('once', 200))],
      rejected: [assistant('No.')],
    };
    const out = renderPair(pair, tok, { maxTokens: 100 });
    expect(out.chosen.ids).toHaveLength(100);
    expect(out.chosen.cutReply).toBe(true);
    expect(out.chosen.ids.slice(out.promptTokens)).not.toContain(
      tok.specialTokens.get('<|im_end|>'),
    );
    expect(out.rejected.cutReply).toBe(false);
    expect(trained(out.rejected.ids, out.rejected.lossMask)).toBe('No.<|im_end|>');
    expect(trained(out.chosen.ids, out.chosen.lossMask).startsWith('once once')).toBe(true);
  });

  it('throws ContextOverflowError when the last user turn alone exceeds its budget', () => {
    const pair = { ...short, prompt: [user(words('why', 100))] };
    expect(() => renderPair(pair, tok, { maxTokens: 128 })).toThrow(/over maxTokens 1\d\d/);
    expect(renderPairs([short, pair], tok, { maxTokens: 128 })).toMatchObject({
      truncated: 0,
      skipped: 1,
    });
  });

  it('rejects bad options and bad messages with ChatTemplateError (never counted as skipped)', () => {
    expect(() => renderPair(short, tok, { maxTokens: 1 })).toThrow(/maxTokens 1 must be/);
    expect(() => renderPair(short, tok, { maxTokens: 64, maxPromptTokens: 64 })).toThrow(
      /maxPromptTokens 64 must be a whole number in \[1, maxTokens 64\)/,
    );
    const bad = { ...short, chosen: [{ role: 'robot', content: 'x' } as unknown as Message] };
    expect(() => renderPairs([bad], tok, { maxTokens: 64 })).toThrow(ChatTemplateError);
  });

  it('always gives both sides the same prompt tokens, within maxTokens (seeded random pairs)', () => {
    const random = new SeededRandom(42);
    const text = () => words('w', 1 + random.nextInt(60));
    const pairs: PreferencePairMessages[] = Array.from({ length: 200 }, () => {
      const turns = random.nextInt(3);
      const prompt: Message[] = [];
      for (let t = 0; t < turns; t++) prompt.push(user(text()), assistant(text()));
      prompt.push(user(words('q', 1 + random.nextInt(20))));
      return { prompt, chosen: [assistant(text())], rejected: [assistant(text())] };
    });
    const out = renderPairs(pairs, tok, { maxTokens: 96 });
    expect(out.pairs.length + out.skipped).toBe(200);
    expect(out.truncated).toBeGreaterThan(0);
    for (const pair of out.pairs) {
      for (const side of [pair.chosen, pair.rejected]) {
        expect(side.ids.length).toBeLessThanOrEqual(96);
        expect(side.lossMask).toHaveLength(side.ids.length);
        expect(side.lossMask.slice(0, pair.promptTokens).every((m) => m === 0)).toBe(true);
        expect(side.lossMask.some((m) => m === 1)).toBe(true);
      }
      expect(pair.chosen.ids.slice(0, pair.promptTokens)).toEqual(
        pair.rejected.ids.slice(0, pair.promptTokens),
      );
    }
  });
});
