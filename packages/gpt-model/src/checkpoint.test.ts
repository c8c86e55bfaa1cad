// Weights on disk: safetensors encode/decode, Hugging Face folders with and without the
// 'transformer.' prefix, and bit-exact round trips through both safetensors and llm.c files.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ids, micro, referenceDir, tempDir } from './__fixtures__/helpers.ts';
import {
  decodeLlmc,
  decodeSafetensors,
  encodeSafetensors,
  GPT,
  GPTModelError,
  loadGPT2,
  loadLlmc,
  modelWeights,
  setBackend,
  toFloat32,
} from './index.ts';

function expectSameWeights(a: GPT, b: GPT) {
  const left = modelWeights(a);
  const right = modelWeights(b);
  expect([...right.keys()].sort()).toEqual([...left.keys()].sort());
  for (const [name, values] of left) {
    const other = right.get(name)!;
    expect(
      Buffer.from(other.buffer, other.byteOffset, other.byteLength).equals(
        Buffer.from(values.buffer, values.byteOffset, values.byteLength),
      ),
      name,
    ).toBe(true);
  }
}

describe('safetensors', () => {
  it('round-trips tensors of several dtypes with metadata and an 8-byte aligned header', () => {
    const bytes = encodeSafetensors(
      {
        b: { dtype: 'F32', shape: [2, 3], data: new Float32Array([1, -2, 3.5, 4, 5, 6]) },
        a: { dtype: 'I32', shape: [2], data: new Int32Array([-7, 9]) },
        h: { dtype: 'BF16', shape: [1], data: new Uint16Array([0x3fc0]) },
      },
      { format: 'pt' },
    );
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect(metadata).toEqual({ format: 'pt' });
    expect(tensors.b.shape).toEqual([2, 3]);
    expect([...tensors.b.data]).toEqual([1, -2, 3.5, 4, 5, 6]);
    expect([...tensors.a.data]).toEqual([-7, 9]);
    expect([...toFloat32(tensors.h)]).toEqual([1.5]);
  });

  it('rejects a truncated file with a GPTModelError naming the sizes', () => {
    const bytes = encodeSafetensors({ x: { dtype: 'F32', shape: [4], data: new Float32Array(4) } });
    expect(() => decodeSafetensors(bytes.subarray(0, bytes.length - 4))).toThrow(GPTModelError);
    expect(() => decodeSafetensors(bytes.subarray(0, 12))).toThrow(/header length/);
  });
});

describe('model folders', () => {
  beforeAll(async () => {
    await setBackend('cpu');
  });

  it('loads a checkpoint whose names carry the transformer. prefix, ignoring lm_head and masks', async () => {
    const plain = await loadGPT2(referenceDir);
    const { tensors } = decodeSafetensors(await readFile(join(referenceDir, 'model.safetensors')));
    const prefixed = Object.fromEntries(
      Object.entries(tensors).map(([name, tensor]) => [`transformer.${name}`, tensor]),
    );
    prefixed['lm_head.weight'] = tensors['wte.weight'];
    prefixed['transformer.h.0.attn.bias'] = {
      dtype: 'F32',
      shape: [1],
      data: new Float32Array([1]),
    };
    const dir = await tempDir();
    await writeFile(join(dir, 'model.safetensors'), encodeSafetensors(prefixed));
    await writeFile(join(dir, 'config.json'), await readFile(join(referenceDir, 'config.json')));
    const loaded = await loadGPT2(dir);
    expectSameWeights(plain, loaded);
    plain.dispose();
    loaded.dispose();
  });

  it('names the missing tensor when a file does not match its config', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'config.json'), await readFile(join(referenceDir, 'config.json')));
    await writeFile(
      join(dir, 'model.safetensors'),
      encodeSafetensors({
        'wte.weight': { dtype: 'F32', shape: [64, 32], data: new Float32Array(2048) },
      }),
    );
    await expect(loadGPT2(dir)).rejects.toThrow(/no tensor wpe\.weight/);
  });

  for (const format of ['safetensors', 'llmc'] as const) {
    it(`saves and reloads bit-exactly as ${format}`, async () => {
      const model = new GPT({ ...micro, vocabSize: 200 }, { seed: 11 });
      const dir = await tempDir();
      await model.save(dir, { format });
      const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
      expect(config).toMatchObject({ model_type: 'gpt2', vocab_size: 200, n_layer: 2, n_embd: 16 });
      const loaded = await loadGPT2(dir);
      expect(loaded.config).toEqual(model.config);
      expectSameWeights(model, loaded);
      const input = ids(1, 6, 200);
      const a = model.logits(input);
      const b = loaded.logits(input);
      expect(tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0])).toBe(0);
      tf.dispose([a, b]);
      model.dispose();
      loaded.dispose();
    });
  }

  it('writes llm.c headers: magic, version 3, padded vocabulary with zero rows, Linear layout', async () => {
    const model = new GPT({ ...micro, vocabSize: 200 }, { seed: 5 });
    const dir = await tempDir();
    await model.save(dir, { format: 'llmc' });
    const bytes = await readFile(join(dir, 'model.bin'));
    const header = new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + 1024));
    expect([...header.subarray(0, 8)]).toEqual([20240326, 3, 16, 200, 2, 2, 16, 256]);
    const body = new Float32Array(
      bytes.buffer.slice(bytes.byteOffset + 1024, bytes.byteOffset + bytes.length),
    );
    expect(body.subarray(200 * 16, 256 * 16).every((x) => x === 0)).toBe(true);
    // First qkv row in llm.c is output channel 0 over all inputs: column 0 of Conv1D [in, out].
    const qkvStart = 256 * 16 + 16 * 16 + 2 * 2 * 16;
    const conv1d = model.parameters.get('h.0.attn.c_attn.weight')!.dataSync();
    expect(body[qkvStart + 1]).toBe(conv1d[48]);
    const reloaded = await loadLlmc(join(dir, 'model.bin'));
    expectSameWeights(model, reloaded);
    expect(() => decodeLlmc(bytes.subarray(0, 2000))).toThrow(/needs/);
    model.dispose();
    reloaded.dispose();
  });
});
