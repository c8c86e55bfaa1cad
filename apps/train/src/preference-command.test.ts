// lmkit-train dpo and reward, in process, on a tiny chat checkpoint (BPE with the chat markers, a
// random 2-layer GPT) and the hand-written preference rows of @lmkit/datasets' fixtures: both run
// to their step budget and leave a checkpoint; dpo's metrics carry rewards, reward's a head.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chatSpecialTokens, trainBpe } from '@lmkit/bpe';
import { GPT, setBackend } from '@lmkit/gpt-model';
import { AdamW, writeCheckpoint } from '@lmkit/trainer';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { trainCli } from './cli.ts';

const pairsFile = new URL(
  '../../../packages/datasets/src/__fixtures__/post-training/preference.jsonl',
  import.meta.url,
).pathname;
let base: string;

beforeAll(async () => {
  await setBackend('cpu');
  const text = readFileSync(
    new URL('../../../data/text/tinyshakespeare.txt', import.meta.url),
    'utf8',
  ).slice(0, 20_000);
  const tokenizer = await trainBpe({
    texts: text.split('\n\n'),
    vocabSize: 256 + 32 + chatSpecialTokens.length,
    pattern: 'cl100k_base',
    specialTokens: chatSpecialTokens,
  });
  const model = new GPT(
    {
      vocabSize: tokenizer.vocabSize,
      blockSize: 96,
      nLayer: 2,
      nHead: 2,
      nEmbd: 32,
      dropout: 0,
      bias: true,
    },
    { seed: 1 },
  );
  const optimizer = new AdamW(model.parameters);
  const root = mkdtempSync(join(tmpdir(), 'lmkit-train-pref-'));
  const state = {
    step: 1,
    tokensSeen: 0,
    trainingTimeMs: 0,
    dataCursor: null,
    random: null,
    config: {},
    kind: 'sft',
  };
  base = await writeCheckpoint({
    root,
    step: 1,
    model,
    optimizer,
    state,
    tokenizerJson: tokenizer.toJSON(),
  } as never);
  optimizer.dispose();
  model.dispose();
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
