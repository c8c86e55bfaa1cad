// Before setBackend() nothing is registered: building or loading a model says what to call instead of
// TensorFlow.js's "No backend found in registry".
import { describe, expect, it } from 'vitest';
import { micro, referenceDir } from './__fixtures__/helpers.ts';
import { GPT, GPTModelError, loadGPT2 } from './index.ts';

describe('without a backend', () => {
  it('new GPT and loadGPT2 name setBackend and loadLanguageModel', async () => {
    const message = /no TensorFlow.js backend is registered; call await setBackend\('auto'\)/;
    expect(() => new GPT(micro)).toThrow(message);
    expect(() => new GPT(micro)).toThrow(GPTModelError);
    await expect(loadGPT2(referenceDir)).rejects.toThrow(message);
  });
});
