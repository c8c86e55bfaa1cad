import { presets } from '@lmkit/gpt-model';
import { describe, expect, it } from 'vitest';
import {
  cosineLearningRate,
  learningRateAt,
  modelFlopsUtilization,
  warmupStableDecayLearningRate,
} from './index.ts';
import { bitsPerByte } from './loop/bits-per-byte.ts';

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

describe('warmupStableDecayLearningRate', () => {
  const wsd = {
    maxLearningRate: 1e-3,
    minLearningRate: 0,
    warmupSteps: 10,
    totalSteps: 100,
    decaySteps: 20,
  };
  it('warms up, holds the plateau, then decays linearly to the floor', () => {
    expect(warmupStableDecayLearningRate(4, wsd)).toBeCloseTo(5e-4, 12);
    expect(warmupStableDecayLearningRate(10, wsd)).toBe(1e-3);
    expect(warmupStableDecayLearningRate(79, wsd)).toBe(1e-3);
    expect(warmupStableDecayLearningRate(90, wsd)).toBeCloseTo(5e-4, 12);
    expect(warmupStableDecayLearningRate(100, wsd)).toBe(0);
    expect(learningRateAt(90, { kind: 'wsd', ...wsd })).toBeCloseTo(5e-4, 12);
    expect(learningRateAt(3, { kind: 'constant', maxLearningRate: 0.1 })).toBe(0.1);
  });
});

describe('bitsPerByte', () => {
  it('converts nats per token to bits per byte', () => {
    expect(bitsPerByte({ lossNats: Math.LN2, tokens: 10, bytes: 10 })).toBeCloseTo(1, 12);
    expect(bitsPerByte({ lossNats: 1, tokens: 100, bytes: 400 })).toBeCloseTo(0.360674, 5);
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
