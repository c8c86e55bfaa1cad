import { SeededRandom } from '@lmkit/core';
import { describe, expect, it } from 'vitest';
import { micro } from './__fixtures__/helpers.ts';
import type { GPTConfig } from './config.ts';
import {
  bfloat16ToFloat32,
  decodeLlmc,
  decodeLlmcTokenizer,
  encodeLlmc,
  encodeLlmcTokenizer,
  float32ToBfloat16,
} from './llmc.ts';
import { parameterSpecs } from './names.ts';

const config: GPTConfig = { ...micro, vocabSize: 200 };

function randomWeights(seed: number): Map<string, Float32Array> {
  const random = new SeededRandom(seed);
  const weights = new Map<string, Float32Array>();
  for (const spec of parameterSpecs(config)) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    weights.set(
      spec.name,
      Float32Array.from({ length: size }, () => random.normal() * 0.5),
    );
  }
  return weights;
}

const bits = (values: number[]) => [...float32ToBfloat16(new Float32Array(values))];

describe('bfloat16 conversion', () => {
  it('rounds to nearest even, keeps signs, infinities and NaN', () => {
    const f = (hex: number) => new Float32Array(new Uint32Array([hex]).buffer)[0];
    expect(bits([1, -2, 0, -0, Number.POSITIVE_INFINITY])).toEqual([
      0x3f80, 0xc000, 0x0000, 0x8000, 0x7f80,
    ]);
    // Ties: 0x3f808000 goes down to the even 0x3f80, 0x3f818000 up to the even 0x3f82.
    expect(bits([f(0x3f808000), f(0x3f818000), f(0x3f80ffff), f(0x3f807fff)])).toEqual([
      0x3f80, 0x3f82, 0x3f81, 0x3f80,
    ]);
    // The largest finite float32 rounds up to infinity, as IEEE rounding does.
    expect(bits([f(0x7f7fffff)])).toEqual([0x7f80]);
    expect(
      Number.isNaN(bfloat16ToFloat32(float32ToBfloat16(new Float32Array([Number.NaN])))[0]),
    ).toBe(true);
    expect([...bfloat16ToFloat32(new Uint16Array([0x3f80, 0xc049]))]).toEqual([1, -3.140625]);
  });
});

describe('llm.c checkpoints', () => {
  it('round-trips float32 exactly and bfloat16 within half a unit in its last place (relative 2^-8)', () => {
    const weights = randomWeights(3);
    const exact = decodeLlmc(encodeLlmc(config, weights));
    expect(exact.dtype).toBe('float32');
    expect(exact.config).toEqual(config);
    for (const [name, values] of weights) expect(exact.weights[name]).toEqual(values);

    const bytes = encodeLlmc(config, weights, { dtype: 'bfloat16' });
    const header = new Int32Array(bytes.buffer, 0, 8);
    expect([...header]).toEqual([20240326, 5, 16, 200, 2, 2, 16, 256]);
    expect(bytes.length).toBe(1024 + (encodeLlmc(config, weights).length - 1024) / 2);
    const half = decodeLlmc(bytes);
    expect(half.dtype).toBe('bfloat16');
    let worst = 0;
    for (const [name, values] of weights) {
      const back = half.weights[name];
      for (let i = 0; i < values.length; i++) {
        if (values[i] === 0) expect(back[i]).toBe(0);
        else worst = Math.max(worst, Math.abs(back[i] - values[i]) / Math.abs(values[i]));
      }
    }
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThanOrEqual(2 ** -8);
    // Decoding the bfloat16 file and writing it again as bfloat16 gives the same bytes.
    expect(
      encodeLlmc(half.config, new Map(Object.entries(half.weights)), { dtype: 'bfloat16' }),
    ).toEqual(bytes);
  });

  it('names the size a truncated bfloat16 file needs and rejects unknown versions', () => {
    const bytes = encodeLlmc(config, randomWeights(4), { dtype: 'bfloat16' });
    expect(() => decodeLlmc(bytes.subarray(0, bytes.length - 2))).toThrow(
      /bfloat16, V 200, padded 256.* needs \d+/,
    );
    const other = bytes.slice();
    new Int32Array(other.buffer, 0, 2)[1] = 4;
    expect(() => decodeLlmc(other)).toThrow(/version is 4; versions 3 \(float32\) and 5/);
  });
});

describe("llm.c's tokenizer file", () => {
  it('writes the header and every token as length + bytes, and reads them back', () => {
    const tokens = [new Uint8Array([104, 105]), new Uint8Array([0xe2, 0x82]), new Uint8Array([10])];
    const bytes = encodeLlmcTokenizer({ tokens, eotToken: 2 });
    expect([...new Uint32Array(bytes.buffer, 0, 4)]).toEqual([20240328, 2, 3, 2]);
    expect([...bytes.subarray(1024)]).toEqual([2, 104, 105, 2, 0xe2, 0x82, 1, 10]);
    expect(decodeLlmcTokenizer(bytes)).toEqual({ tokens, eotToken: 2 });
  });

  it('rejects empty or long tokens and an end-of-text id outside the vocabulary', () => {
    expect(() => encodeLlmcTokenizer({ tokens: [new Uint8Array(0)], eotToken: 0 })).toThrow(
      /token 0 has 0 bytes; .* 1 to 255/,
    );
    expect(() => encodeLlmcTokenizer({ tokens: [new Uint8Array(256)], eotToken: 0 })).toThrow(
      /token 0 has 256 bytes/,
    );
    expect(() => encodeLlmcTokenizer({ tokens: [new Uint8Array(1)], eotToken: 1 })).toThrow(
      /end-of-text id 1 is outside the vocabulary 0\.\.0/,
    );
    expect(() => decodeLlmcTokenizer(new Uint8Array(1024))).toThrow(/magic 0, expected 20240328/);
  });
});
