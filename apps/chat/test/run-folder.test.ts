// Checkpoint folders from the trainer (a run folder of step-NNNNNNNN checkpoints: the newest is
// served) and from model.save alone (no manifest).
// Its own file: gpt-model names its tf variables, so two live models cannot share one process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setBackend } from '@lmkit/gpt-model';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadChatEngine } from '../src/model-engine.ts';
import { buildTinyCheckpoint, buildTrainerRun } from './tiny-checkpoint.ts';

beforeAll(() => setBackend('auto'));

describe('run folders', () => {
  it('serves the newest checkpoint of a run folder written by the trainer', async () => {
    const run = mkdtempSync(join(tmpdir(), 'lmkit-chat-run-'));
    try {
      await buildTrainerRun(run, [
        { step: 10, blockSize: 64 },
        { step: 20, blockSize: 96 },
      ]);
      const newest = await loadChatEngine({ dir: run, modelId: 'run-model' });
      expect(newest.contextTokens).toBe(96);
      expect(newest.modelId).toBe('run-model');
      const { ids } = newest.render([{ role: 'user', content: 'Hail!' }], {
        addGenerationPrompt: true,
      });
      const reply = [];
      const sampling = { maxNewTokens: 4, temperature: 0, topP: 1, stopTokenIds: [], seed: 0 };
      for await (const id of newest.generate(ids, sampling)) reply.push(id);
      expect(reply).toHaveLength(4);
      newest.dispose?.();
    } finally {
      rmSync(run, { recursive: true, force: true });
    }
  });

  it('serves a folder written by model.save alone, without a manifest', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lmkit-chat-plain-'));
    try {
      await buildTinyCheckpoint(join(root, 'plain'), { blockSize: 80, manifest: false });
      const plain = await loadChatEngine({ dir: join(root, 'plain') });
      expect(plain.contextTokens).toBe(80);
      expect(plain.modelId).toBe('plain');
      plain.dispose?.();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
