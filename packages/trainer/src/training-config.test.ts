import { describe, expect, it } from 'vitest';
import { TrainerConfigError } from './errors.ts';
import { plannedSteps, resolveTrainingConfig } from './training-config.ts';

describe('resolveTrainingConfig', () => {
  it('fills defaults, derives the cosine decay from the budget and freezes the result', () => {
    const config = resolveTrainingConfig({
      maxSteps: 2000,
      schedule: { maxLearningRate: 1e-3, warmupSteps: 100, minLearningRate: 1e-4 },
    });
    expect(config.batchSize).toBe(8);
    expect(config.schedule).toEqual({
      kind: 'cosine',
      maxLearningRate: 1e-3,
      minLearningRate: 1e-4,
      warmupSteps: 100,
      decaySteps: 2000,
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(
      plannedSteps(resolveTrainingConfig({ maxTokens: 10_000, batchSize: 2, sequenceLength: 64 })),
    ).toBe(78);
    expect(
      resolveTrainingConfig({ maxSteps: 100, schedule: { kind: 'wsd' } }).schedule,
    ).toMatchObject({ totalSteps: 100, decaySteps: 20 });
  });

  it.each([
    [
      { maxSteps: 10, batchSize: -3 },
      /config field batchSize: expected a positive integer, got -3/,
    ],
    [{ maxSteps: 10, batchSize: '8' }, /config field batchSize: expected a finite number, got "8"/],
    [{ maxSteps: 10, bachSize: 8 }, /config field bachSize is unknown/],
    [{ batchSize: 8 }, /no budget; give maxSteps, maxTokens or maxMinutes/],
    [{ maxSteps: 10, beta2: 1 }, /beta2: expected a number in \[0, 1\), got 1/],
    [
      { maxSteps: 10, schedule: { kind: 'linear' } },
      /schedule\.kind: "linear" is not one of cosine, wsd, constant/,
    ],
    [{ maxSteps: 10, schedule: { maxLR: 1 } }, /schedule\.maxLR is unknown/],
    [{ maxMinutes: 1 }, /schedule\.decaySteps is required/],
    [[1, 2], /must be a JSON object/],
  ])('rejects %j', (input, message) => {
    expect(() => resolveTrainingConfig(input)).toThrow(TrainerConfigError);
    expect(() => resolveTrainingConfig(input)).toThrow(message);
  });
});
