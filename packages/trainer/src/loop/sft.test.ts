import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TinyModel } from '../__fixtures__/tiny-model.ts';
import { TrainerConfigError } from '../errors.ts';
import { readMetrics } from '../report/step-log.ts';
import { sft } from './sft.ts';
import { buildSftRows, gatherRows } from './sft-rows.ts';

describe('buildSftRows', () => {
  const a = { ids: [1, 2, 3, 4, 5], lossMask: [0, 0, 1, 1, 0] };
  const b = { ids: [6, 7, 8], lossMask: [0, 1, 1] };
  const noTarget = { ids: [9, 9, 9], lossMask: [1, 0, 0] };

  it('pads one conversation per row and shifts the mask onto targets', () => {
    const rows = buildSftRows({ examples: [a, b, noTarget], sequenceLength: 4, padTokenId: 0 });
    expect(rows.rows).toBe(2);
    expect(rows.droppedRows).toBe(1);
    expect(Array.from(rows.ids)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 0, 0]);
    const batch = gatherRows(rows, [1, 0]);
    expect(Array.from(batch.inputs)).toEqual([6, 7, 8, 0, 1, 2, 3, 4]);
    expect(Array.from(batch.targets)).toEqual([7, 8, 0, 0, 2, 3, 4, 5]);
    expect(Array.from(batch.lossMask)).toEqual([1, 1, 0, 0, 0, 1, 1, 0]);
  });

  it('packs conversations and cuts every T tokens, counting truncation only when padding', () => {
    const rows = buildSftRows({ examples: [a, b], sequenceLength: 3, packing: 'pack' });
    // stream 1 2 3 4 5 6 7 8 → rows [1 2 3 4] [4 5 6 7] [7 8]
    expect(rows.rows).toBe(3);
    expect(Array.from(gatherRows(rows, [1]).targets)).toEqual([5, 6, 7]);
    expect(Array.from(gatherRows(rows, [1]).lossMask)).toEqual([0, 0, 1]);
    expect(buildSftRows({ examples: [a], sequenceLength: 2 }).truncatedExamples).toBe(1);
    expect(() =>
      buildSftRows({ examples: [{ ids: [1, 2], lossMask: [1] }], sequenceLength: 4 }),
    ).toThrow(/SFT example 0: 2 ids but 1 mask values/);
  });
});

describe('sft', () => {
  // conversations: "user" tokens 1..3 then the reply 4 5 and a stop token 7 (the only masked part)
  const conversation = (k: number) => ({
    ids: [1, 2 + (k % 2), 3, 6, 4, 5, 7],
    lossMask: [0, 0, 0, 0, 1, 1, 1],
  });
  const examples = Array.from({ length: 24 }, (_, k) => conversation(k));

  it('grows the vocabulary, learns the masked reply, and measures replies that stop', async () => {
    const model = new TinyModel({ vocabSize: 6, blockSize: 8 }, 4);
    const lines: string[] = [];
    const outDir = mkdtempSync(join(tmpdir(), 'trainer-sft-'));
    const result = await sft({
      model,
      examples,
      valExamples: examples.slice(0, 4),
      vocabSize: 8,
      epochs: 12,
      config: {
        batchSize: 4,
        sequenceLength: 6,
        evalEvery: 36,
        schedule: { maxLearningRate: 0.05, warmupSteps: 2 },
      },
      replyEval: { prompts: [[1, 2, 3, 6]], stopTokenId: 7, maxNewTokens: 4 },
      outDir,
      log: (line) => lines.push(line),
    });
    expect(model.config.vocabSize).toBe(8);
    expect(model.parameters.get('wte.weight')!.shape).toEqual([8, 8]);
    expect(lines[0]).toBe('growing the vocabulary 6 → 8 (chat markers)');
    expect(result.steps).toBe(72);
    const val = readMetrics(result.metricsPath).filter((r) => r.type === 'val');
    expect(val.map((r) => r.step)).toEqual([0, 36, 72]);
    expect(val[2].loss).toBeLessThan(0.3);
    expect(val[2].loss).toBeLessThan(val[0].loss / 4);
    expect(val[2].stopRate).toBe(1);
    model.dispose();
  });

  it('refuses to shrink the vocabulary or to train on examples with nothing masked', async () => {
    const model = new TinyModel({ vocabSize: 8, blockSize: 8 });
    const outDir = mkdtempSync(join(tmpdir(), 'trainer-sft-'));
    await expect(sft({ model, examples, vocabSize: 6, outDir })).rejects.toThrow(
      /vocabSize 6 is smaller than the base model's 8/,
    );
    await expect(
      sft({
        model,
        examples: [{ ids: [1, 2, 3], lossMask: [0, 0, 0] }],
        outDir,
        config: { sequenceLength: 4 },
      }),
    ).rejects.toThrow(TrainerConfigError);
    model.dispose();
  });
});
