// loadLanguageModel on a tiny random checkpoint written to a temp folder: it sets up a backend itself,
// matches the low-level generate token for token, stops on strings and ids, crops long prompts and
// conversations, and names what to pass on bad input.
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chatSpecialTokens, saveTokenizer, type Tokenizer, trainBpe } from '@lmkit/bpe';
import { parseReply, render } from '@lmkit/chat-template';
import { SeededRandom } from '@lmkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './__fixtures__/helpers.ts';
import {
  encodeSafetensors,
  type GenerateOptions,
  type GPT,
  type LanguageModel,
  loadLanguageModel,
  type SafetensorsTensor,
  toHuggingFaceConfig,
} from './index.ts';
import { parameterSpecs } from './names.ts';

const text =
  'the cat sat on the mat. the dog sat on the log. a bird sang in the tree, and the cat looked up.\n';

/** A random GPT (weights N(0, 0.1²), no tfjs needed) with our tokenizer, as a checkpoint folder. */
async function writeTinyCheckpoint(
  dir: string,
  tokenizer: Tokenizer,
  paddedIds = 0,
): Promise<void> {
  const config = {
    vocabSize: tokenizer.vocabSize + paddedIds,
    blockSize: 32,
    nLayer: 2,
    nHead: 2,
    nEmbd: 16,
    dropout: 0,
    bias: true,
  };
  const random = new SeededRandom(3);
  const tensors: Record<string, SafetensorsTensor> = {};
  for (const spec of parameterSpecs(config)) {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const data =
      spec.init === 'normal'
        ? random.normalArray(count, 0.1)
        : new Float32Array(count).fill(spec.init === 'ones' ? 1 : 0);
    tensors[spec.name] = { dtype: 'F32', shape: spec.shape, data };
  }
  await writeFile(join(dir, 'config.json'), JSON.stringify(toHuggingFaceConfig(config)));
  await writeFile(join(dir, 'model.safetensors'), encodeSafetensors(tensors));
  await saveTokenizer(tokenizer, join(dir, 'tokenizer.json'));
}

async function ids(model: GPT, prompt: number[], options: GenerateOptions): Promise<number[]> {
  const out: number[] = [];
  for await (const id of model.generate(prompt, options)) out.push(id);
  return out;
}

describe('loadLanguageModel', () => {
  let dir: string;
  let lm: LanguageModel;
  let tokenizer: Tokenizer;
  let stopIds: number[];
  beforeAll(async () => {
    dir = await tempDir();
    tokenizer = await trainBpe({
      texts: [text.repeat(4)],
      vocabSize: 300,
      specialTokens: chatSpecialTokens,
    });
    await writeTinyCheckpoint(dir, tokenizer);
    // No backend is set in this worker: loadLanguageModel picks one itself.
    expect(tf.getBackend()).toBeFalsy();
    lm = await loadLanguageModel(dir);
    expect(tf.getBackend()).toBeTruthy();
    stopIds = [tokenizer.specialTokenId('<|endoftext|>')!];
  });
  afterAll(async () => {
    lm?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('completes text exactly as generate on the encoded prompt, with the model, tokenizer and config', async () => {
    expect(lm.config.blockSize).toBe(32);
    expect(lm.tokenizer.vocabSize).toBe(tokenizer.vocabSize);
    const prompt = tokenizer.encode('the cat');
    for (const options of [
      { temperature: 0 },
      { seed: 7, topK: 20 },
      { seed: 9, topP: 0.9, temperature: 0.8 },
    ]) {
      const expected = await ids(lm.model, prompt, { ...options, maxNewTokens: 12, stop: stopIds });
      expect(await lm.complete('the cat', { ...options, maxNewTokens: 12 })).toBe(
        tokenizer.decode(expected),
      );
    }
  });

  it('defaults to 256 new tokens and a random seed', async () => {
    const result = await lm.generate('the', { seed: 4 });
    const expected = await ids(lm.model, tokenizer.encode('the'), { seed: 4, stop: stopIds });
    expect(result.completionTokens).toBe(expected.length);
    if (result.finishReason === 'length') expect(result.completionTokens).toBe(256);
    const a = await lm.complete('the', { maxNewTokens: 30, temperature: 1 });
    const b = await lm.complete('the', { maxNewTokens: 30, temperature: 1 });
    expect(a).not.toBe(b);
    expect(await lm.complete('the', { maxNewTokens: 30, seed: 1 })).toBe(
      await lm.complete('the', { maxNewTokens: 30, seed: 1 }),
    );
  });

  it('stops before a stop string, also across streamed pieces, and before a stop id', async () => {
    const full = await lm.complete('a bird', { temperature: 0, maxNewTokens: 30 });
    // The random model's greedy text starts with printable ASCII (checked) before byte noise.
    const stop = full.slice(3, 5);
    expect(stop).toMatch(/^[\x20-\x7e]{2}$/);
    const expected = full.slice(0, full.indexOf(stop));
    const result = await lm.generate('a bird', {
      temperature: 0,
      maxNewTokens: 30,
      stop: ['zzz', stop],
    });
    expect(result.text).toBe(expected);
    expect(result.finishReason).toBe('stop');
    const pieces: string[] = [];
    for await (const piece of lm.stream('a bird', { temperature: 0, maxNewTokens: 30, stop }))
      pieces.push(piece);
    expect(pieces.join('')).toBe(expected);
    expect(pieces.length).toBeGreaterThan(1);
    const greedy = await ids(lm.model, tokenizer.encode('a bird'), {
      temperature: 0,
      maxNewTokens: 30,
    });
    const stopId = greedy[5];
    expect(await lm.complete('a bird', { temperature: 0, maxNewTokens: 30, stop: stopId })).toBe(
      tokenizer.decode(greedy.slice(0, greedy.indexOf(stopId))),
    );
  });

  it('replies to messages as generate on the rendered conversation, stopping at <|im_end|>', async () => {
    const messages = [{ role: 'user' as const, content: 'the cat?' }];
    const prompt = render({ messages }, tokenizer, { addGenerationPrompt: true }).ids;
    const imEnd = tokenizer.specialTokenId('<|im_end|>')!;
    const imStart = tokenizer.specialTokenId('<|im_start|>')!;
    const generated = await ids(lm.model, prompt, {
      temperature: 0,
      maxNewTokens: 10,
      stop: [...stopIds, imEnd, imStart],
    });
    const reply = await lm.chat(messages, { temperature: 0, maxNewTokens: 10 });
    expect(generated.length).toBeGreaterThan(0);
    expect(reply).toBe(parseReply(tokenizer.decode(generated)).message.content);
    const streamed: string[] = [];
    for await (const piece of lm.stream(messages, { temperature: 0, maxNewTokens: 10 }))
      streamed.push(piece);
    expect(parseReply(streamed.join('')).message.content).toBe(reply);
  });

  it('returns sampled replies whatever markers the model writes', async () => {
    // A random model writes <|im_sep|>, <think> and the like at random: never an error.
    const messages = [{ role: 'user' as const, content: 'the cat?' }];
    for (let seed = 0; seed < 12; seed++) {
      const result = await lm.generate(messages, { seed, maxNewTokens: 40, temperature: 1.5 });
      expect(typeof result.text).toBe('string');
    }
  });

  it('crops a prompt longer than the context to its last tokens instead of failing', async () => {
    const long = text.repeat(3);
    const prompt = tokenizer.encode(long);
    expect(prompt.length).toBeGreaterThan(32);
    const result = await lm.generate(long, { temperature: 0, maxNewTokens: 8 });
    const budget = 32 - 8;
    expect(result.promptTokens).toBe(budget);
    expect(result.croppedPromptTokens).toBe(prompt.length - budget);
    const expected = await ids(lm.model, prompt.slice(-budget), {
      temperature: 0,
      maxNewTokens: 8,
      stop: stopIds,
    });
    expect(result.text).toBe(tokenizer.decode(expected));
    // A long conversation drops its oldest turns; 40 new tokens on a 32-token context still run.
    const turns = Array.from({ length: 6 }, (_, i) => [
      { role: 'user' as const, content: `turn ${i}: the dog sat on the log` },
      { role: 'assistant' as const, content: 'the cat sat on the mat' },
    ]).flat();
    const chat = await lm.generate([...turns, { role: 'user', content: 'and now?' }], {
      seed: 2,
      maxNewTokens: 40,
    });
    expect(chat.croppedPromptTokens).toBeGreaterThan(0);
    expect(chat.promptTokens).toBeLessThanOrEqual(16);
  });

  it('never samples ids the tokenizer cannot decode (a padded vocabulary)', async () => {
    const padded = await tempDir();
    try {
      await writeTinyCheckpoint(padded, tokenizer, 40);
      const paddedLm = await loadLanguageModel(padded);
      expect(paddedLm.config.vocabSize).toBe(tokenizer.vocabSize + 40);
      const result = await paddedLm.generate('the', { seed: 5, maxNewTokens: 200, temperature: 2 });
      expect(result.completionTokens).toBeGreaterThan(0);
      paddedLm.dispose();
    } finally {
      await rm(padded, { recursive: true, force: true });
    }
  });

  it("loads a run's newest verified checkpoint from its checkpoint root", async () => {
    const root = await tempDir();
    try {
      for (const step of ['step-00000001', 'step-00000002']) {
        const files: Record<string, { bytes: number; sha256: string }> = {};
        await mkdir(join(root, step));
        for (const name of ['config.json', 'model.safetensors', 'tokenizer.json']) {
          const bytes = await readFile(join(dir, name));
          await writeFile(join(root, step, name), bytes);
          files[name] = {
            bytes: bytes.length,
            sha256: createHash('sha256').update(bytes).digest('hex'),
          };
        }
        await writeFile(
          join(root, step, 'manifest.json'),
          JSON.stringify({ formatVersion: 1, files }),
        );
      }
      await writeFile(join(root, 'step-00000001', 'model.safetensors'), 'damaged');
      const newest = await loadLanguageModel(root);
      const options = { temperature: 0, maxNewTokens: 8 };
      expect(await newest.complete('the cat', options)).toBe(await lm.complete('the cat', options));
      newest.dispose();
      await writeFile(join(root, 'step-00000002', 'tokenizer.json'), '{}');
      await expect(loadLanguageModel(root)).rejects.toThrow(
        /tokenizer.json has 2 bytes, the manifest says/,
      );
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('names what to pass on bad options, input and folders', async () => {
    await expect(lm.complete('x', { max_tokens: 5 } as never)).rejects.toThrow(
      /unknown option "max_tokens"; the options are temperature, topK, topP, maxNewTokens, seed, stop/,
    );
    await expect(lm.complete('x', { stop: [''] })).rejects.toThrow(
      /stop "" is neither a non-empty string/,
    );
    await expect(lm.complete('x', { topP: 3 })).rejects.toThrow(/topP is 3/);
    await expect(lm.complete([] as never)).rejects.toThrow(/complete takes a string/);
    await expect(loadLanguageModel(join(dir, 'missing'))).rejects.toThrow(
      /is not a folder; pass a checkpoint folder/,
    );
    const bare = await tempDir();
    try {
      await copyFile(join(dir, 'config.json'), join(bare, 'config.json'));
      await copyFile(join(dir, 'model.safetensors'), join(bare, 'model.safetensors'));
      await expect(loadLanguageModel(bare)).rejects.toThrow(/has no tokenizer.json/);
    } finally {
      await rm(bare, { recursive: true, force: true });
    }
  });
});
