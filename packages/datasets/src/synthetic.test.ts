import { describe, expect, it } from 'vitest';
import {
  checkConversation,
  conversationKey,
  hashUnit,
  identityConversations,
  mix,
  splitOf,
} from './index.ts';

describe('identityConversations', () => {
  it('is reproducible from the seed, well-formed, and names the model and its makers', () => {
    const a = identityConversations({ count: 50, seed: 1 });
    expect(identityConversations({ count: 50, seed: 1 })).toEqual(a);
    expect(identityConversations({ count: 50, seed: 2 })).not.toEqual(a);
    for (const c of a) {
      expect(checkConversation(c)).toBeUndefined();
      const answer = c.messages[c.messages.length - 1].content;
      expect(answer).toMatch(/lmkit/);
      expect(answer).toMatch(/[Tt]he lmkit contributors/);
      expect(answer).not.toMatch(/(^|[.!?]\s+)the lmkit/);
    }
    expect(new Set(a.map((c) => c.messages.at(-2)!.content)).size).toBeGreaterThan(5);
    expect(a.some((c) => c.messages[0].role === 'system')).toBe(true);
    expect(
      a.some((c) => /\. The lmkit contributors trained me/.test(c.messages.at(-1)!.content)),
    ).toBe(true);
    const custom = identityConversations({
      count: 3,
      name: 'Tiny',
      makers: 'Ada',
      systemProbability: 0,
    });
    expect(
      custom.every((c) => /Tiny/.test(c.messages[1].content) && /Ada/.test(c.messages[1].content)),
    ).toBe(true);
  });
});

describe('mix', () => {
  it('draws sources in proportion to weight, reproducibly, until all run out', async () => {
    const counts: Record<string, number> = {};
    const a = Array.from({ length: 3000 }, () => 'a');
    const b = Array.from({ length: 1000 }, () => 'b');
    async function* bAsync() {
      yield* b;
    }
    const first: string[] = [];
    for await (const x of mix({
      sources: [
        { name: 'a', weight: 3, items: a },
        { name: 'b', weight: 1, items: bAsync() },
      ],
      seed: 9,
      counts,
    })) {
      first.push(x);
    }
    expect(counts).toEqual({ a: 3000, b: 1000 });
    const head = first.slice(0, 2000);
    const share = head.filter((x) => x === 'b').length / head.length;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.3);
    const again: string[] = [];
    for await (const x of mix({
      sources: [
        { name: 'a', weight: 3, items: a },
        { name: 'b', weight: 1, items: b },
      ],
      seed: 9,
    }))
      again.push(x);
    expect(again).toEqual(first);
  });

  it('stops at the limit or when any source runs out, and rejects bad weights', async () => {
    const out: number[] = [];
    for await (const x of mix({
      sources: [
        { name: 'x', weight: 1, items: [1, 2] },
        { name: 'y', weight: 1, items: [3, 4, 5, 6] },
      ],
      stopWhenAnyExhausted: true,
    }))
      out.push(x);
    expect(out.filter((x) => x <= 2).length).toBe(2);
    expect(out.length).toBeLessThan(6);
    const limited: number[] = [];
    for await (const x of mix({
      sources: [{ name: 'y', weight: 1, items: [3, 4, 5, 6] }],
      limit: 2,
    }))
      limited.push(x);
    expect(limited).toEqual([3, 4]);
    await expect(async () => {
      for await (const _ of mix({ sources: [{ name: 'z', weight: 0, items: [] }] })) void _;
    }).rejects.toThrow(/source z has weight 0/);
  });
});

describe('splitOf', () => {
  it('splits deterministically by hash near the requested fraction', () => {
    const keys = Array.from({ length: 20000 }, (_, i) => `doc-${i}`);
    const sides = keys.map((key) => splitOf(key, { validationFraction: 0.1 }));
    const share = sides.filter((s) => s === 'validation').length / keys.length;
    expect(share).toBeGreaterThan(0.09);
    expect(share).toBeLessThan(0.11);
    expect(keys.map((key) => splitOf(key, { validationFraction: 0.1 }))).toEqual(sides);
    const salted = keys.map((key) => splitOf(key, { validationFraction: 0.1, salt: 'v2' }));
    expect(salted).not.toEqual(sides);
    // Growing the fraction only moves items from train to validation.
    keys.forEach((key, i) => {
      if (sides[i] === 'validation')
        expect(splitOf(key, { validationFraction: 0.2 })).toBe('validation');
    });
    expect(() => splitOf('x', { validationFraction: 1.5 })).toThrow(/validationFraction 1.5/);
    expect(hashUnit('a')).not.toBe(hashUnit('b'));
  });

  it('keys conversations by id, else by content', () => {
    const messages = [{ role: 'user' as const, content: 'hi' }];
    expect(conversationKey({ messages, id: 'x' })).toBe('x');
    expect(conversationKey({ messages })).toBe(JSON.stringify(messages));
  });
});
