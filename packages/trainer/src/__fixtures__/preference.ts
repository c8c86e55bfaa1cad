// Shared set-up of the tiny-GPT trainer tests (dpo, onlineDpo, reward model, WebGPU): a config, a
// rendered prompt + reply with its loss mask on the reply, and a model's weights as plain arrays.
import type { GPT, GPTConfig } from '@lmkit/gpt-model';

/** One layer, two heads, 16 wide, no dropout: small enough to train in a test. */
export function tinyGptConfig(vocabSize: number): GPTConfig {
  return { vocabSize, blockSize: 16, nLayer: 1, nHead: 2, nEmbd: 16, dropout: 0, bias: true };
}

/** A rendered example: the prompt's tokens masked out, the reply's counted. */
export function example(prompt: number[], reply: number[]) {
  return {
    ids: [...prompt, ...reply],
    lossMask: [...prompt.map(() => 0), ...reply.map(() => 1)],
  };
}

/** Every parameter's values by name, to compare two models. */
export async function weights(model: GPT): Promise<Record<string, number[]>> {
  return Object.fromEntries(
    await Promise.all(
      [...model.parameters].map(async ([name, v]) => [name, Array.from(await v.data())]),
    ),
  );
}
