import { describe, expect, it } from 'vitest';
import { parse, planChatMarkers, render } from './index.ts';
import { byteTokenizer } from './testing/index.ts';

describe('planChatMarkers', () => {
  it('gives missing markers new ids past the base vocabulary and keeps existing ones', () => {
    const base = byteTokenizer({ specialTokens: ['<|endoftext|>'] });
    expect(base.vocabSize).toBe(257);
    const plan = planChatMarkers({ tokenizer: base });
    expect(plan.added).toEqual({
      '<|im_start|>': 257,
      '<|im_sep|>': 258,
      '<|im_end|>': 259,
      '<think>': 260,
      '</think>': 261,
    });
    expect(plan.ids['<|endoftext|>']).toBe(256);
    expect(plan.vocabSize).toBe(262);
    // A tokenizer extended with exactly those ids renders and parses chats; base ids are unchanged.
    const extended = byteTokenizer({ specialTokens: Object.keys(plan.ids) });
    for (const [name, id] of Object.entries(plan.ids))
      expect(extended.specialTokenId(name)).toBe(id);
    const c = { messages: [{ role: 'user' as const, content: 'hé' }] };
    expect(parse(render(c, extended).ids, extended).messages).toEqual(c.messages);
    expect(extended.encodeOrdinary('hé')).toEqual(base.encodeOrdinary('hé'));
  });

  it('adds nothing to a tokenizer that has every marker', () => {
    const full = byteTokenizer();
    expect(planChatMarkers({ tokenizer: full })).toMatchObject({
      added: {},
      vocabSize: full.vocabSize,
    });
    expect(() => planChatMarkers({ tokenizer: full, markers: ['<a>', '<a>'] })).toThrow(/repeat/);
  });
});
