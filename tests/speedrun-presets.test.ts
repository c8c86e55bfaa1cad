// Every speedrun preset can train where it runs: a preset whose training steps are estimated over
// the wasm heap's 4 GiB must ask for the cpu backend (no heap cap), and every step must fit the
// 24 GiB machines the presets are written for. Every preset passes the zod schema its type is
// inferred from, and a preset built by hand with a wrong field is refused naming the field.

import { checkPreset, type SpeedrunPreset, speedrunPresets } from '@lmkit/app-speedrun';
import { wasmHeapLimitBytes } from '@lmkit/gpt-model';
import { estimateStepMemoryBytes } from '@lmkit/trainer';
import { describe, expect, it } from 'vitest';

describe.each(Object.entries(speedrunPresets) as [string, SpeedrunPreset][])(
  'speedrun preset %s',
  (name, preset) => {
    const model = { ...preset.model, vocabSize: preset.vocabSize, bias: true };
    const steps = [preset.pretrain, preset.sft].map((stage) =>
      estimateStepMemoryBytes({
        config: model,
        batchSize: stage.batchSize,
        sequenceLength: stage.sequenceLength,
      }),
    );

    it('uses the cpu backend whenever a training step is over the wasm heap', () => {
      const overWasm = steps.some((bytes) => bytes > wasmHeapLimitBytes);
      expect(preset.backend === 'cpu').toBe(overWasm);
      if (name === 'gpt2') expect(overWasm).toBe(true);
    });

    it('passes the preset schema and has a preference section', () => {
      expect(checkPreset(preset, name)).toEqual(preset);
      expect(preset.preference.dpo.beta).toBeGreaterThan(0);
    });

    it('fits its training steps in 24 GiB', () => {
      for (const bytes of steps) expect(bytes).toBeLessThan(24 * 2 ** 30);
    });
  },
);

describe('checkPreset', () => {
  const tiny = speedrunPresets.tiny;
  it('names the wrong field, its limit and where to fix it', () => {
    expect(() =>
      checkPreset(
        {
          ...tiny,
          preference: { ...tiny.preference, dpo: { ...tiny.preference.dpo, batchSize: 3 } },
        },
        'tiny',
      ),
    ).toThrow(
      /^tiny\.preference\.dpo\.batchSize: counts rows, two per pair; make it even; fix it in apps\/speedrun/,
    );
    expect(() =>
      checkPreset({ ...tiny, sft: { ...tiny.sft, validationFraction: 1.5 } }, 'tiny'),
    ).toThrow(/tiny\.sft\.validationFraction: must be less than 1/);
    expect(() => checkPreset({ ...tiny, vocabSize: 512, extra: 1 }, 'tiny')).toThrow(
      /has unknown field extra/,
    );
  });
});
