// Issue #19 item 5: a checkpoint write that fails (a full disk) leaves no `.step-N.tmp-*` folder,
// says in one sentence how much was needed, where and what to free, and `resume` continues once
// space is back; a temporary folder left by a killed run is removed when the next run starts.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listCheckpoints, verifyCheckpoint } from '@lmkit/gpt-model';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestBackend } from '../__fixtures__/backend.ts';
import { TinyModel } from '../__fixtures__/tiny-model.ts';
import { CheckpointWriteError } from '../errors.ts';
import { runTraining, type TrainingLoopOptions } from '../loop/train-loop.ts';
import { resolveTrainingConfig } from '../training-config.ts';
import { writeFileSynced } from './durable-file.ts';

beforeAll(useTestBackend);

/** A source whose cursor is the number of batches drawn, so a resumed run continues the data. */
function countingSource(start: unknown) {
  let drawn = (start as number | undefined) ?? 0;
  return {
    next() {
      const inputs = Int32Array.from({ length: 8 }, (_, i) => (drawn * 3 + i) % 12);
      const targets = Int32Array.from(inputs, (id) => (id + 1) % 12);
      drawn += 1;
      return { batchSize: 2, sequenceLength: 4, inputs, targets };
    },
    cursor: () => drawn,
  };
}

function enospc(path: string): Error {
  return Object.assign(new Error(`ENOSPC: no space left on device, write '${path}'`), {
    code: 'ENOSPC',
  });
}

const temporaryFolders = (root: string) =>
  existsSync(root) ? readdirSync(root).filter((name) => name.includes('.tmp-')) : [];

function options(outDir: string, model: TinyModel): TrainingLoopOptions {
  return {
    kind: 'pretrain',
    model,
    config: resolveTrainingConfig({
      batchSize: 2,
      sequenceLength: 4,
      maxSteps: 6,
      checkpointEvery: 2,
      schedule: { warmupSteps: 1, maxLearningRate: 0.01 },
    }),
    openSource: async (cursor) => countingSource(cursor),
    outDir,
    log: () => {},
  };
}

describe('checkpoints on a full disk', () => {
  it('cleans up, explains in one sentence, and resumes once space is freed', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'trainer-disk-full-'));
    const root = join(outDir, 'checkpoints');
    // The disk fills up while the step-4 checkpoint is written.
    let full = false;
    const writeFile = (path: string, bytes: Uint8Array | string) => {
      if (path.includes('step-00000004') && path.endsWith('trainer-state.json')) full = true;
      if (full) throw enospc(path);
      writeFileSynced(path, bytes);
    };
    const first = new TinyModel({ vocabSize: 12 });
    const failure = await runTraining({ ...options(outDir, first), writeFile }).catch((e) => e);
    first.dispose();
    expect(failure).toBeInstanceOf(CheckpointWriteError);
    const message = (failure as Error).message;
    expect(message).toMatch(
      new RegExp(
        `^disk full writing the step 4 checkpoint into ${root.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: it needs about \\d+ MiB( and \\d+ MiB are free)?; free space on that disk .*then rerun with --resume`,
      ),
    );
    expect(message.split('\n')).toHaveLength(1);
    expect((failure as Error).cause).toMatchObject({ code: 'ENOSPC' });
    expect(temporaryFolders(root)).toEqual([]);
    expect(listCheckpoints(root).map((c) => c.step)).toEqual([2]);

    // A killed writer's folder from another process is also lying there.
    mkdirSync(join(root, '.step-00000006.tmp-999999'));
    writeFileSync(join(root, '.step-00000006.tmp-999999', 'model.safetensors'), 'partial');
    const lines: string[] = [];
    const second = new TinyModel({ vocabSize: 12 });
    const resumed = await runTraining({
      ...options(outDir, second),
      resumeFrom: listCheckpoints(root)[0].dir,
      log: (line) => lines.push(line),
    });
    second.dispose();
    expect(lines[0]).toMatch(/removed 1 unfinished checkpoint folder.*\.step-00000006\.tmp-999999/);
    expect(resumed.steps).toBe(6);
    expect(verifyCheckpoint(resumed.checkpoint!).step).toBe(6);
    expect(temporaryFolders(root)).toEqual([]);
  });

  it('removes the temporary folder when a write fails for another reason, keeping the error', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'trainer-write-fails-'));
    const model = new TinyModel({ vocabSize: 12 });
    const writeFile = (path: string) => {
      throw Object.assign(new Error(`EIO: i/o error, write '${path}'`), { code: 'EIO' });
    };
    await expect(runTraining({ ...options(outDir, model), writeFile })).rejects.toThrow(/^EIO/);
    model.dispose();
    expect(temporaryFolders(join(outDir, 'checkpoints'))).toEqual([]);
  });
});
