import { describe, expect, it } from 'vitest';
import { formatEvalLine, formatStepLine, type TrainStepMetrics } from './step-log.ts';

const metrics: TrainStepMetrics = {
  type: 'train',
  step: 7,
  totalSteps: 2000,
  loss: 3.9123456,
  learningRate: 6e-4,
  gradNorm: 1.23456,
  durationMs: 312.5,
  tokensPerSecond: 2457.6,
  mfu: 0.0123,
  tokensSeen: 5376,
  trainingTimeMs: 2000,
  wallTimeMs: 2500,
};

describe('step lines', () => {
  it('formats a step the way llm.c does, and evaluations with bits per byte', () => {
    expect(formatStepLine(metrics)).toBe(
      'step    7/2000 | loss 3.912346 | lr 6.00e-4 | norm 1.2346 | 312.50 ms | 1.2% MFU | 2458 tok/s',
    );
    expect(formatStepLine({ ...metrics, totalSteps: Number.POSITIVE_INFINITY })).toMatch(
      /^step 7\/\? \|/,
    );
    expect(
      formatEvalLine({
        type: 'val',
        step: 250,
        loss: 2.01234,
        bitsPerByte: 1.5,
        tokensSeen: 0,
        trainingTimeMs: 0,
        wallTimeMs: 0,
      }),
    ).toBe('val step 250 | loss 2.0123 | 1.5000 bpb');
  });
});
