import { describe, expect, it } from 'vitest';
import { flopsPerToken, parameterCount, presets } from './index.ts';

describe('GPT-2 size arithmetic', () => {
  it('counts the published parameter numbers of the GPT-2 family (tied head)', () => {
    expect(parameterCount(presets.gpt2)).toBe(124_439_808);
    expect(parameterCount(presets['gpt2-medium'])).toBe(354_823_168);
    expect(parameterCount(presets['gpt2-large'])).toBe(774_030_080);
    expect(parameterCount(presets['gpt2-xl'])).toBe(1_557_611_200);
  });

  it('gives more FLOPs per token for longer sequences', () => {
    const short = flopsPerToken(presets.gpt2, 256);
    const long = flopsPerToken(presets.gpt2, 1024);
    expect(long - short).toBe(12 * 12 * 768 * (1024 - 256));
  });
});
