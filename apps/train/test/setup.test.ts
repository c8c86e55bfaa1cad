// Backend choice for training commands: with no backend asked for, a step too big for the wasm
// heap gets the cpu backend (and says why); an explicit backend is always respected.
import { presets } from '@lmkit/gpt-model';
import { describe, expect, it } from 'vitest';
import { setUpBackend } from '../src/setup.ts';

const gpt2 = { ...presets.gpt2, dropout: 0 };

describe('setUpBackend for a training step', () => {
  it('picks cpu for gpt2 at T 1024 when no backend is given, naming the estimate', async () => {
    const line = await setUpBackend({
      trainingStep: { model: gpt2, batchSize: 1, sequenceLength: 1024 },
    });
    expect(line).toMatch(
      /^backend cpu \(chosen for memory: a training step needs about \d+\.\d GiB, over the wasm heap's 4\.0 GiB\)/,
    );
  });

  it('keeps the automatic choice for a step that fits the wasm heap', async () => {
    const small = { ...gpt2, nLayer: 2, nEmbd: 64, nHead: 2, vocabSize: 256, blockSize: 64 };
    const line = await setUpBackend({ trainingStep: { model: small } });
    expect(line).not.toMatch(/chosen for memory/);
    expect(line).toMatch(/^backend (wasm|cpu)/);
  });

  it('respects an explicit backend even when the step would not fit it', async () => {
    const line = await setUpBackend({
      backend: 'wasm',
      trainingStep: { model: gpt2, batchSize: 1, sequenceLength: 1024 },
    });
    expect(line).toMatch(/^backend wasm/);
    expect(line).not.toMatch(/chosen for memory/);
  });
});
