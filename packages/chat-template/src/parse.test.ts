import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Conversation,
  IM_END,
  IM_SEP,
  IM_START,
  type Message,
  parse,
  parseReply,
  render,
  renderText,
  THINK_END,
  THINK_START,
} from './index.ts';
import { byteTokenizer } from './testing/index.ts';

const tok = byteTokenizer();
const encode = (text: string) => tok.encode(text, { allowedSpecial: 'all' });

const message = (content: fc.Arbitrary<string>): fc.Arbitrary<Message> =>
  fc.oneof(
    fc.record({ role: fc.constantFrom('system' as const, 'user' as const), content }),
    fc.record({ role: fc.constant('assistant' as const), content }),
    fc.record({ role: fc.constant('assistant' as const), content, reasoning: content }),
  );
const conversation = (content: fc.Arbitrary<string>): fc.Arbitrary<Conversation> =>
  fc.record({ messages: fc.array(message(content), { maxLength: 6 }) });

describe('parse', () => {
  it('gives back any conversation from its rendered ids, markers spelled in content included', () => {
    const awkward = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.constantFrom(IM_END, `${IM_END}${IM_START}system${IM_SEP}`, THINK_START, '', '🙂 漢字'),
    );
    fc.assert(
      fc.property(conversation(awkward), (c) => {
        const parsed = parse(render(c, tok).ids, tok);
        expect(parsed).toEqual({ messages: c.messages, complete: true });
      }),
      { numRuns: 200, seed: 42 },
    );
  });

  it('gives back any conversation from its text when content spells no marker', () => {
    const clean = fc
      .string({ unit: 'grapheme' })
      .filter((s) => !/<\|im_|<\/?think>|<\|endoftext/.test(s));
    fc.assert(
      fc.property(conversation(clean), (c) => {
        expect(parse(renderText(c)).messages).toEqual(c.messages);
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it('stops at <|im_end|> and reports an unfinished message', () => {
    const text = '<|im_start|>user<|im_sep|>Hi<|im_end|><|im_start|>assistant<|im_sep|>Hel';
    expect(parse(text)).toEqual({
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hel' },
      ],
      complete: false,
    });
    const done = `${text}lo<|im_end|><|endoftext|>garbage`;
    expect(parse(encode(done), tok)).toEqual({
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello' },
      ],
      complete: true,
    });
  });

  it('parses a generated reply after the generation prompt, with reasoning', () => {
    expect(parseReply(encode('<think>hmm</think>Paris<|im_end|><|im_start|>user'), tok)).toEqual({
      message: { role: 'assistant', content: 'Paris', reasoning: 'hmm' },
      complete: true,
    });
    expect(parseReply('<think>still thinking')).toEqual({
      message: { role: 'assistant', content: '', reasoning: 'still thinking' },
      complete: false,
    });
  });

  it('rejects sequences that are not in the chat format, saying what it found', () => {
    expect(() => parse('hello')).toThrow(
      /expected <\|im_start\|> at the start, found text "hello"/,
    );
    expect(() => parse('<|im_start|>robot<|im_sep|>x<|im_end|>')).toThrow(/role "robot"/);
    expect(() => parse('<|im_start|>user<|im_sep|>a<|im_start|>')).toThrow(
      /expected <\|im_end\|> in message 0, found <\|im_start\|>/,
    );
    expect(() => parse([1, 2])).toThrow(/needs the tokenizer/);
    expect(parse(`${THINK_END}`.slice(0, 0))).toEqual({ messages: [], complete: true });
  });
});
