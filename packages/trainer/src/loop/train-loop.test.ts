import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyCheckpoint } from '@lmkit/gpt-model';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestBackend } from '../__fixtures__/backend.ts';
import { letterTokenizer, writePatternShards } from '../__fixtures__/shards.ts';
import { TinyModel } from '../__fixtures__/tiny-model.ts';
import { TrainerConfigError, TrainingDivergedError } from '../errors.ts';
import { readMetrics, type TrainStepMetrics } from '../report/step-log.ts';
import { resolveTrainingConfig } from '../training-config.ts';
import { pretrain } from './pretrain.ts';
import { runTraining } from './train-loop.ts';

const here = dirname(fileURLToPath(import.meta.url));
// native kernels (fused AdamW) when built; LMKIT_NATIVE_KERNELS=0 runs the tfjs ops
beforeAll(useTestBackend);
const tempDir = () => mkdtempSync(join(tmpdir(), 'trainer-run-'));
const quiet = () => {};
const base = {
  batchSize: 4,
  sequenceLength: 8,
  evalBatches: 2,
  schedule: { warmupSteps: 2, maxLearningRate: 0.01 },
};
const trainLosses = (outDir: string) =>
  readMetrics(join(outDir, 'metrics.jsonl'))
    .filter((r): r is TrainStepMetrics => r.type === 'train')
    .map((r) => [r.step, r.loss]);

describe('pretrain', () => {
  it('lowers the loss, evaluates with bits per byte, checkpoints and plots', async () => {
    const shards = await writePatternShards({ vocabSize: 16, tokens: 4000 });
    const outDir = tempDir();
    const model = new TinyModel({ vocabSize: 16 });
    const lines: string[] = [];
    const result = await pretrain({
      model,
      trainFiles: [shards.train],
      valFiles: [shards.val],
      outDir,
      tokenizer: letterTokenizer(16),
      tokenizerJson: { kind: 'letters' },
      samplePrompt: 'a',
      config: {
        ...base,
        maxSteps: 30,
        evalEvery: 15,
        sampleEvery: 30,
        sampleTokens: 5,
        schedule: { warmupSteps: 2, maxLearningRate: 0.05 },
      },
      log: (line) => lines.push(line),
    });
    expect(result.steps).toBe(30);
    const records = readMetrics(result.metricsPath);
    const val = records.filter((r) => r.type === 'val');
    expect(val.map((r) => r.step)).toEqual([0, 15, 30]);
    expect(val[2].loss).toBeLessThan(val[0].loss - 0.5);
    // one byte per token: bits per byte is the loss in bits
    expect(val[2].bitsPerByte).toBeCloseTo(val[2].loss / Math.LN2, 6);
    expect(
      lines.some((l) =>
        /^step {1,2}7\/30 \| loss \d\.\d{6} \| lr .* \| norm .* ms \| .*% MFU \| \d+ tok\/s$/.test(
          l,
        ),
      ),
    ).toBe(true);
    expect(lines.some((l) => /^sample step 30: "a[a-p]{5}"$/.test(l))).toBe(true);
    expect(existsSync(result.plots.svg) && existsSync(result.plots.png)).toBe(true);
    const manifest = verifyCheckpoint(result.checkpoint!);
    expect(manifest.step).toBe(30);
    expect(JSON.parse(readFileSync(join(result.checkpoint!, 'tokenizer.json'), 'utf8'))).toEqual({
      kind: 'letters',
    });
    await expect(
      pretrain({
        model,
        trainFiles: [shards.train],
        outDir,
        config: { ...base, maxSteps: 2 },
        log: quiet,
      }),
    ).rejects.toThrow(/already holds checkpoints; pass resume/);
    model.dispose();
  });

  it('resumes after an abort so the losses equal an uninterrupted run (dropout on, accumulation 2)', async () => {
    const shards = await writePatternShards({ vocabSize: 16, tokens: 3000 });
    const config = { ...base, maxSteps: 8, checkpointEvery: 100, totalBatchTokens: 64 };
    const run = async (outDir: string, options: { abortAt?: number; resume?: boolean }) => {
      const model = new TinyModel({ vocabSize: 16, dropout: 0.2 }, 9);
      const controller = new AbortController();
      const result = await pretrain({
        model,
        trainFiles: [shards.train],
        outDir,
        resume: options.resume,
        config,
        signal: controller.signal,
        log: quiet,
        onMetrics: (r) => r.step === options.abortAt && controller.abort(),
      });
      model.dispose();
      return result;
    };
    const whole = tempDir();
    await run(whole, {});
    const split = tempDir();
    const first = await run(split, { abortAt: 3 });
    expect(first.stoppedBy).toBe('signal');
    expect(first.steps).toBe(3);
    const numTensors = tf.memory().numTensors;
    const second = await run(split, { resume: true });
    expect(second.steps).toBe(8);
    expect(tf.memory().numTensors).toBe(numTensors);
    expect(trainLosses(split)).toEqual(trainLosses(whole));
    expect(trainLosses(whole)).toHaveLength(8);
  });

  it('survives SIGKILL: a child killed mid-run and resumed reproduces the uninterrupted losses', async () => {
    const shards = await writePatternShards({ vocabSize: 16, tokens: 3000 });
    const script = join(here, '../__fixtures__/pretrain-script.ts');
    const child = (args: string[], waitFor?: string) =>
      new Promise<string>((resolve, reject) => {
        const proc = spawn(
          process.execPath,
          ['--import', 'tsx', '--conditions=source', script, ...args],
          {
            cwd: here,
          },
        );
        let out = '';
        proc.stdout.on('data', (chunk) => {
          out += chunk;
          if (waitFor && out.includes(waitFor)) proc.kill('SIGKILL');
        });
        proc.stderr.on('data', (chunk) => {
          out += chunk;
        });
        proc.on('error', reject);
        proc.on('exit', (code, signal) => resolve(`${out}\nexit ${code} ${signal}`));
      });
    const whole = tempDir();
    const killed = tempDir();
    const [wholeOut, killedOut] = await Promise.all([
      child([whole, shards.train, shards.val]),
      child([killed, shards.train, shards.val, '--hang-at-step', '6'], 'hanging'),
    ]);
    expect(wholeOut).toContain('done 10');
    expect(killedOut).toMatch(/checkpoint step 4 .*\n[\s\S]*hanging[\s\S]*exit null SIGKILL/);
    expect(trainLosses(killed).map(([step]) => step)).toEqual([1, 2, 3, 4, 5, 6]);
    const resumedOut = await child([killed, shards.train, shards.val, '--resume']);
    expect(resumedOut).toMatch(/resumed from .*step-00000004 at step 4/);
    expect(resumedOut).toContain('done 10');
    expect(trainLosses(killed)).toEqual(trainLosses(whole));
  }, 60_000);
});

describe('budgets', () => {
  it('stops on a wall-clock budget in minutes (evaluation time excluded)', async () => {
    const model = new TinyModel({ vocabSize: 16 });
    let clock = 0;
    const batch = {
      batchSize: 2,
      sequenceLength: 4,
      inputs: Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8]),
      targets: Int32Array.from([2, 3, 4, 5, 6, 7, 8, 9]),
    };
    const result = await runTraining({
      kind: 'pretrain',
      model,
      config: resolveTrainingConfig({
        batchSize: 2,
        sequenceLength: 4,
        maxMinutes: 1,
        schedule: { decaySteps: 100 },
      }),
      openSource: async () => ({ next: () => batch, cursor: () => null }),
      outDir: tempDir(),
      log: quiet,
      now: () => (clock += 10_000), // every read advances 10 s: each step measures 10 s
    });
    expect(result.steps).toBe(6);
    model.dispose();
  });
});

describe('bad input', () => {
  it('rejects T above the block size, a batch that cannot fit, and shards from another tokenizer', async () => {
    const shards = await writePatternShards({ vocabSize: 16, tokens: 2000, maxId: 40 });
    const goodShards = await writePatternShards({ vocabSize: 16, tokens: 2000 });
    const model = new TinyModel({ vocabSize: 16, blockSize: 16 });
    const common = { model, trainFiles: [goodShards.train], log: quiet };
    await expect(
      pretrain({
        ...common,
        outDir: tempDir(),
        config: { ...base, sequenceLength: 32, maxSteps: 1 },
      }),
    ).rejects.toThrow(
      /sequenceLength 32 exceeds the model's block size 16; lower sequenceLength to ≤ 16/,
    );
    await expect(
      pretrain({
        ...common,
        outDir: tempDir(),
        config: { ...base, maxSteps: 1, memoryLimitBytes: 30_000 },
      }),
    ).rejects.toThrow(
      /batch 4 × 8 tokens needs about .* GiB, over the .* memory limit; lower batchSize to 1 or less/,
    );
    const error = await pretrain({
      ...common,
      trainFiles: [shards.train],
      outDir: tempDir(),
      config: { ...base, maxSteps: 3, batchSize: 1 },
      shuffle: false,
    }).catch((e) => e);
    expect(error).toBeInstanceOf(TrainerConfigError);
    expect(error.message).toMatch(
      /token id 40 is outside the model's vocabulary of 16 ids \(0\.\.15\).*vocabSize ≥ 41/,
    );
    model.dispose();
  });

  it('stops on a NaN loss, names the step and keeps the last good checkpoint', async () => {
    const shards = await writePatternShards({ vocabSize: 16, tokens: 2000 });
    const model = new TinyModel({ vocabSize: 16 });
    const realLoss = model.loss.bind(model);
    let calls = 0;
    model.loss = (ids, targets, options) => {
      calls += options?.training ? 1 : 0;
      const value = realLoss(ids, targets, options);
      return calls === 5 ? tf.tidy(() => tf.mul(value, Number.NaN)) : value;
    };
    const outDir = tempDir();
    const error = await pretrain({
      model,
      trainFiles: [shards.train],
      outDir,
      config: { ...base, maxSteps: 8, checkpointEvery: 2 },
      log: quiet,
    }).catch((e) => e);
    expect(error).toBeInstanceOf(TrainingDivergedError);
    expect(error.step).toBe(5);
    expect(error.message).toMatch(
      /step 5: loss NaN is not finite.*last good checkpoint is .*step-00000004/,
    );
    expect(verifyCheckpoint(error.lastCheckpoint).step).toBe(4);
    expect(trainLosses(outDir).map(([step]) => step)).toEqual([1, 2, 3, 4]);
    model.dispose();
  });
});
