import { describe, expect, it } from 'vitest';
import { words } from './index.ts';

describe('words', () => {
  it('splits on any Unicode whitespace and drops empty pieces', () => {
    expect(words('  Hello,\tworld\u00a0again\n')).toEqual(['Hello,', 'world', 'again']);
    expect(words('')).toEqual([]);
  });
});
