// A trainer run folder (step-NNNNNNNN checkpoints) as --checkpoint: the newest step is served.
// Its own file: gpt-model names its tf variables, so two live models cannot share one process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setBackend } from '@lmkit/gpt-model';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadChatEngine } from '../src/model-engine.ts';
import { buildTinyCheckpoint } from './tiny-checkpoint.ts';

beforeAll(() => setBackend('auto'));

describe('run folders', () => {
  it('serves the newest step folder of a trainer run folder', async () => {
    const run = mkdtempSync(join(tmpdir(), 'lmkit-chat-run-'));
    try {
      await buildTinyCheckpoint(join(run, 'step-00000010'), { blockSize: 64 });
      // The newest has no manifest.json (a folder written by model.save alone): it loads unchecked.
      await buildTinyCheckpoint(join(run, 'step-00000020'), { blockSize: 96, manifest: false });
      const newest = await loadChatEngine({ dir: run, modelId: 'run-model' });
      expect(newest.contextTokens).toBe(96);
      expect(newest.modelId).toBe('run-model');
      newest.dispose?.();
    } finally {
      rmSync(run, { recursive: true, force: true });
    }
  });
});
