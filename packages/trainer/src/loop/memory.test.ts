import { presets } from '@lmkit/gpt-model';
import { describe, expect, it } from 'vitest';
import { assertStepFits, estimateStepMemoryBytes } from './memory.ts';

const gib = 2 ** 30;

describe('assertStepFits', () => {
  it('advises the largest batch that fits while one does', () => {
    const config = presets.gpt2;
    const one = estimateStepMemoryBytes({ config, batchSize: 1, sequenceLength: 256 });
    const two = estimateStepMemoryBytes({ config, batchSize: 2, sequenceLength: 256 });
    expect(() =>
      assertStepFits({ config, batchSize: 8, sequenceLength: 256, limitBytes: (two + one) / 2 }),
    ).toThrow(/batch 8 × 256 tokens needs about .* GiB.*lower batchSize to 1 or less/);
    expect(() =>
      assertStepFits({ config, batchSize: 2, sequenceLength: 256, limitBytes: two }),
    ).not.toThrow();
  });

  it('sends gpt2 at T 1024 from the 4 GiB wasm heap to the cpu backend or shorter sequences', () => {
    const options = { config: presets.gpt2, batchSize: 1, sequenceLength: 1024 };
    expect(estimateStepMemoryBytes(options)).toBeGreaterThan(4 * gib);
    const attempt = (backend: string) => () =>
      assertStepFits({ ...options, limitBytes: 4 * gib, backend });
    expect(attempt('wasm')).toThrow(
      /over the 4\.0 GiB memory limit of the wasm heap, even one sequence does not fit; use the cpu backend .*sequenceLength \d+ fits at batch 1/,
    );
    expect(attempt('cpu')).not.toThrow(/cpu backend/);
    expect(() =>
      assertStepFits({ ...options, limitBytes: 19 * gib, backend: 'cpu' }),
    ).not.toThrow();
  });
});
