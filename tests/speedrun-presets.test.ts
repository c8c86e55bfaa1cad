// Every speedrun preset can train where it runs: a preset whose training steps are estimated over
// the wasm heap's 4 GiB must ask for the cpu backend (no heap cap), and every step must fit the
// 24 GiB machines the presets are written for.

import { type SpeedrunPreset, speedrunPresets } from '@lmkit/app-speedrun';
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

    it('fits its training steps in 24 GiB', () => {
      for (const bytes of steps) expect(bytes).toBeLessThan(24 * 2 ** 30);
    });
  },
);
