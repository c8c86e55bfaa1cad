// lmkit-train dpo and reward, in process, on apps/chat's tiny chat checkpoint (BPE with the chat
// markers, a random 2-layer GPT, written by the trainer) and the hand-written preference rows of
// @lmkit/datasets' fixtures: both run to their step budget and leave a checkpoint; dpo's metrics
// carry rewards, reward's a head.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTrainerRun } from '@lmkit/app-chat/test/tiny-checkpoint.ts';
import { checkpointName, setBackend } from '@lmkit/gpt-model';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { trainCli } from './cli.ts';

const pairsFile = new URL(
  '../../../packages/datasets/src/__fixtures__/post-training/preference.jsonl',
  import.meta.url,
).pathname;
let base: string;

beforeAll(async () => {
  await setBackend('cpu');
  const root = mkdtempSync(join(tmpdir(), 'lmkit-train-pref-'));
  await buildTrainerRun(root, [{ step: 1, blockSize: 96 }]);
  base = join(root, checkpointName(1));
});

const errors: string[] = [];
const quiet = { stdout: () => {}, stderr: (line: string) => void errors.push(line) };

describe('lmkit-train dpo / reward', () => {
  it.each(['dpo', 'reward'] as const)(
    '%s trains on preference rows and writes a checkpoint',
    async (command) => {
      const out = mkdtempSync(join(tmpdir(), `lmkit-train-${command}-`));
      const log = vi.spyOn(console, 'log').mockImplementation(() => {});
      const error = vi.spyOn(console, 'error').mockImplementation(() => {});
      try {
        const code = await trainCli(
          [
            command,
            '--base',
            base,
            '--pairs',
            pairsFile,
            '--out',
            out,
            '--val-fraction',
            '0.01',
            '--max-steps',
            '2',
            '--batch-size',
            '2',
            '--backend',
            'cpu',
            '--eval-every',
            '100',
          ],
          quiet,
        );
        expect(errors.join('\n')).toBe('');
        expect(code).toBe(0);
        const result = JSON.parse(String(log.mock.calls.at(-1)?.[0]));
        expect(result.steps).toBe(2);
        const metrics = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l));
        const lastTrain = metrics.filter((m) => m.type === 'train').at(-1);
        expect(Object.keys(lastTrain.extra).sort()).toEqual(
          command === 'dpo'
            ? ['accuracy', 'chosenReward', 'margin', 'rejectedReward']
            : ['accuracy', 'margin'],
        );
        const state = JSON.parse(
          readFileSync(join(result.checkpoint, 'trainer-state.json'), 'utf8'),
        );
        expect(state.kind).toBe(command);
      } finally {
        log.mockRestore();
        error.mockRestore();
      }
    },
  );

  it('asks for --pairs with an example', async () => {
    const lines: string[] = [];
    const code = await trainCli(['dpo', '--base', base], {
      stdout: () => {},
      stderr: (line: string) => lines.push(line),
    });
    expect(code).toBe(2);
    expect(lines.join('\n')).toMatch(/dpo needs --pairs FILE/);
  });
});
