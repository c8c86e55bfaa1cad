// Shared by the loop and eval command tests: lmkit-train run in process with its output captured,
// and the models they score: apps/chat's tiny chat checkpoints (BPE with the chat markers, random
// 2-layer GPTs) and a reward model trained from the first for one step by `lmkit-train reward`.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTrainerRun } from '@lmkit/app-chat/test/tiny-checkpoint.ts';
import { checkpointName, setBackend } from '@lmkit/gpt-model';
import { vi } from 'vitest';
import { trainCli } from './cli.ts';

export const repo = new URL('../../../', import.meta.url).pathname;
export const pairsFile = join(
  repo,
  'packages/datasets/src/__fixtures__/post-training/preference.jsonl',
);
export const temp = (name: string) => mkdtempSync(join(tmpdir(), `lmkit-train-${name}-`));

/** Runs lmkit-train; returns the exit code, the lines of console.log, and the error lines. */
export async function train(argv: string[]) {
  const errors: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  const error = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    const code = await trainCli(argv, {
      stdout: () => {},
      stderr: (line: string) => void errors.push(line),
    });
    return {
      code,
      printed: log.mock.calls.map((call) => String(call[0])),
      errors: errors.join('\n'),
    };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

/**
 * A run folder with `steps` tiny chat checkpoints (step 1, 2, …) and a reward model trained from
 * step 1; returns the folders.
 */
export async function buildModels(options: { blockSize: number; steps: number }) {
  await setBackend('cpu');
  const root = temp('run');
  await buildTrainerRun(
    root,
    Array.from({ length: options.steps }, (_, i) => ({
      step: i + 1,
      blockSize: options.blockSize,
    })),
  );
  const checkpoints = Array.from({ length: options.steps }, (_, i) =>
    join(root, checkpointName(i + 1)),
  );
  const rewardDir = temp('reward');
  const reward = await train([
    'reward',
    ...['--base', checkpoints[0], '--pairs', pairsFile, '--out', rewardDir],
    ...['--val-fraction', '0.01', '--max-steps', '1', '--batch-size', '2', '--backend', 'cpu'],
    ...['--eval-every', '100'],
  ]);
  if (reward.code !== 0) throw new Error(`the reward model fixture failed: ${reward.errors}`);
  return { root, checkpoints, rewardDir };
}
