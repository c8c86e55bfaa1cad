import { describe, expect, it } from 'vitest';
import { TrainerConfigError } from './errors.ts';
import { plannedSteps, resolveTrainingConfig, sftDefaultConfig } from './training-config.ts';

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
    [{ maxSteps: 0 }, /config field maxSteps: expected a positive integer, got 0/],
    [{ maxSteps: 10, seed: 2 ** 32 }, /config field seed: expected an integer below 2\^32/],
    [
      { maxTokens: 100 },
      /maxTokens 100 is less than one step of 1024 tokens; raise it to at least 1024/,
    ],
    [
      { maxSteps: 10, schedule: { maxLearningRate: 1e-3, minLearningRate: 1e-2 } },
      /schedule\.minLearningRate 0\.01 is above config field schedule\.maxLearningRate 0\.001/,
    ],
    [{ maxSteps: 10, weightDecay: -1 }, /weightDecay: expected a number ≥ 0, got -1/],
    [{ maxSteps: 10, maxMinutes: Number.NaN }, /maxMinutes: expected a finite number/],
  ])('rejects %j', (input, message) => {
    expect(() => resolveTrainingConfig(input)).toThrow(TrainerConfigError);
    expect(() => resolveTrainingConfig(input)).toThrow(message);
  });

  it('names fields the way the caller asks (the CLI names its flags)', () => {
    const fieldName = (path: string) => `--${path.replace('schedule.', '')}`;
    expect(() =>
      resolveTrainingConfig(
        { maxSteps: 5, schedule: { maxLearningRate: 1e-3, minLearningRate: 1 } },
        undefined,
        { fieldName },
      ),
    ).toThrow(/^--minLearningRate 1 is above --maxLearningRate 0\.001/);
  });

  it('keeps the SFT defaults in one place', () => {
    const config = resolveTrainingConfig({ maxSteps: 100 }, sftDefaultConfig);
    expect(config).toMatchObject({ sequenceLength: 256, weightDecay: 0, evalEvery: 50 });
    expect(config.schedule).toMatchObject({ maxLearningRate: 1e-4, minLearningRate: 0 });
  });
});
