import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CheckpointCorruptError,
  listCheckpoints,
  readTrainerState,
  verifyCheckpoint,
} from '@lmkit/gpt-model';
import { describe, expect, it } from 'vitest';
import { TinyModel } from '../__fixtures__/tiny-model.ts';
import { AdamW } from '../loop/adamw.ts';
import { readModelWeights, readOptimizerState, writeCheckpoint } from './checkpoint.ts';
import { latestCheckpointOrThrow } from './resume.ts';

async function writeThree() {
  const root = mkdtempSync(join(tmpdir(), 'trainer-ckpt-'));
  const model = new TinyModel({ vocabSize: 12 });
  const optimizer = new AdamW(model.parameters);
  const dirs: string[] = [];
  for (const step of [10, 20, 30]) {
    const state = {
      kind: 'pretrain',
      step,
      tokensSeen: step * 64,
      trainingTimeMs: 1,
      dataCursor: { offset: step },
      random: { s: [1, 2, 3, 4] },
      config: {},
    };
    dirs.push(
      await writeCheckpoint({
        root,
        step,
        model,
        optimizer,
        state,
        tokenizerJson: { vocab: 'x' },
        keepLast: 2,
      }),
    );
  }
  return { root, model, optimizer, dirs };
}

describe('checkpoints', () => {
  it('write every file with a manifest, keep the last K, and read back exactly', async () => {
    const { root, model, optimizer, dirs } = await writeThree();
    expect(listCheckpoints(root).map((c) => c.step)).toEqual([20, 30]);
    expect(existsSync(dirs[0])).toBe(false);
    expect(readdirSync(root).filter((n) => n.includes('tmp'))).toEqual([]);
    const manifest = verifyCheckpoint(dirs[2]);
    expect(Object.keys(manifest.files).sort()).toEqual([
      'config.json',
      'model.safetensors',
      'optimizer.safetensors',
      'tokenizer.json',
      'trainer-state.json',
    ]);
    expect(readTrainerState(dirs[2])).toMatchObject({ step: 30, dataCursor: { offset: 30 } });
    const weights = readModelWeights(dirs[2]);
    expect(Array.from(weights.get('wte.weight')!.data)).toEqual(
      Array.from(model.parameters.get('wte.weight')!.dataSync()),
    );
    const saved = readOptimizerState(dirs[2]);
    expect(saved.moments.get('h.0.mlp.c_fc.weight')!.secondMoment.length).toBe(64);
    expect(latestCheckpointOrThrow(root)).toBe(dirs[2]);
    optimizer.dispose();
    model.dispose();
  });

  it('detect a truncated file, a flipped byte, a missing file and a missing manifest', async () => {
    const { root, model, optimizer, dirs } = await writeThree();
    const truncated = join(dirs[2], 'model.safetensors');
    truncateSync(truncated, 100);
    expect(() => verifyCheckpoint(dirs[2])).toThrow(
      /model\.safetensors has 100 bytes, the manifest says \d+ \(truncated/,
    );
    expect(() => latestCheckpointOrThrow(root)).toThrow(CheckpointCorruptError);

    const state = join(dirs[1], 'trainer-state.json');
    const bytes = readFileSync(state);
    bytes[5] ^= 0x20;
    writeFileSync(state, bytes);
    expect(() => verifyCheckpoint(dirs[1])).toThrow(/sha256 .* differs from the manifest/);

    const other = mkdtempSync(join(tmpdir(), 'trainer-ckpt-'));
    expect(() => verifyCheckpoint(other)).toThrow(/no manifest\.json/);
    writeFileSync(
      join(other, 'manifest.json'),
      JSON.stringify({ formatVersion: 1, step: 1, files: { 'x.bin': { sha256: 'ab', bytes: 1 } } }),
    );
    expect(() => verifyCheckpoint(other)).toThrow(/x\.bin is missing/);
    appendFileSync(join(other, 'manifest.json'), '}');
    expect(() => verifyCheckpoint(other)).toThrow(/not valid JSON/);
    optimizer.dispose();
    model.dispose();
  });
});
