import { presets } from '@lmkit/gpt-model';
import { describe, expect, it } from 'vitest';
import { cosineLearningRate, modelFlopsUtilization } from './index.ts';

const schedule = { maxLearningRate: 6e-4, minLearningRate: 6e-5, warmupSteps: 10, decaySteps: 110 };

describe('cosineLearningRate', () => {
  it('warms up linearly, peaks, decays to half way, and floors', () => {
    expect(cosineLearningRate(0, schedule)).toBeCloseTo(6e-5, 12);
    expect(cosineLearningRate(9, schedule)).toBeCloseTo(6e-4, 12);
    expect(cosineLearningRate(10, schedule)).toBeCloseTo(6e-4, 12);
    expect(cosineLearningRate(60, schedule)).toBeCloseTo((6e-4 + 6e-5) / 2, 12);
    expect(cosineLearningRate(500, schedule)).toBe(6e-5);
  });
});

describe('modelFlopsUtilization', () => {
  it('reproduces nanoGPT-style MFU from gpt-model FLOPs per token', () => {
    const mfu = modelFlopsUtilization({
      config: presets.gpt2,
      sequenceLength: 1024,
      tokensPerSecond: 1000,
      peakFlopsPerSecond: 1e12,
    });
    expect(mfu).toBeGreaterThan(0.7);
    expect(mfu).toBeLessThan(0.9);
  });
});
