// lmkit-train eval, in process, on apps/chat's tiny chat checkpoint and a reward model trained from
// it for one step: every evaluation prints its score beside chance; scores with a known answer are
// checked (a checkpoint against itself as reference or as --compare ties on every pair and prompt,
// so 0.5 exactly; bits per byte's chance is log2 V per token); bad input exits 2 naming the fix.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkpointName } from '@lmkit/gpt-model';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModels, pairsFile, repo, temp, train } from './eval-command.test-helpers.ts';

const hellaswag = join(repo, 'packages/evals/src/__fixtures__/hellaswag.jsonl');
const webText = join(repo, 'packages/evals/src/__fixtures__/web-paragraphs.txt');
let root: string;
let base: string;
let other: string;
let rewardDir: string;
let textFile: string;

beforeAll(async () => {
  // Two checkpoints of one run (steps 1 and 2 of the fixture; one tokenizer) and a reward model.
  const models = await buildModels({ blockSize: 192, steps: 2 });
  ({ root, rewardDir } = models);
  [base, other] = models.checkpoints;
  textFile = join(temp('text'), 'verse.txt');
  const shakespeare = readFileSync(join(repo, 'data/text/tinyshakespeare.txt'), 'utf8');
  writeFileSync(textFile, shakespeare.slice(200_000, 203_000));
});

interface Row {
  checkpoint: string;
  evaluation: string;
  score: number;
  chance: number;
  count: number;
  result: Record<string, number>;
}

describe('lmkit-train eval', () => {
  it('scores each checkpoint on every evaluation asked for, chance beside each (--json)', async () => {
    const { code, printed, errors } = await train([
      'eval',
      ...['--checkpoint', base, '--checkpoint', root, '--backend', 'cpu', '--json'],
      ...['--text', textFile, '--held-out', '1', '--max-chars', '600'],
      ...['--cloze', webText, '--cloze-unit', 'sentence', '--cloze-count', '8'],
      ...['--multiple-choice', hellaswag, '--layout', 'hellaswag'],
      ...['--pairs', pairsFile, '--val-fraction', '1', '--reference', base],
      ...['--reward-model', rewardDir, '--compare', base, '--max-prompts', '3'],
      ...['--max-new-tokens', '8'],
    ]);
    expect(errors).toBe('');
    expect(code).toBe(0);
    expect(printed).toHaveLength(1);
    const { results } = JSON.parse(printed[0]) as { results: Row[] };
    const of = (checkpoint: string, evaluation: string) =>
      results.find((r) => r.checkpoint === checkpoint && r.evaluation.startsWith(evaluation))!;
    // --checkpoint ROOT is the run's newest checkpoint.
    const rewardCheckpoint = join(rewardDir, 'checkpoints', checkpointName(1));
    expect(new Set(results.map((r) => r.checkpoint))).toEqual(
      new Set([base, other, rewardCheckpoint]),
    );
    for (const checkpoint of [base, other]) {
      const bpb = of(checkpoint, 'bits per byte');
      // Chance is log2 V bits per token: V comes back a whole vocabulary size.
      const vocabulary = 2 ** ((bpb.chance * bpb.result.bytes) / bpb.result.tokens);
      expect(vocabulary).toBeCloseTo(Math.round(vocabulary), 6);
      expect(Math.round(vocabulary)).toBeGreaterThan(256);
      expect(bpb.score).toBeGreaterThan(0);
      expect(of(checkpoint, 'cloze (sentence)')).toMatchObject({ chance: 0.25, count: 8 });
      expect(of(checkpoint, 'hellaswag').chance).toBeGreaterThan(0);
      for (const r of results) expect(r.score).toBeGreaterThanOrEqual(0);
    }
    // Against itself: the implicit reward is 0 on every pair, the replies are the same (same seeds).
    const self = of(base, 'preference accuracy (implicit reward)');
    expect(self).toMatchObject({ score: 0.5, chance: 0.5 });
    expect(self.result.ties).toBe(self.count);
    const selfWin = of(base, 'win rate');
    expect(selfWin).toMatchObject({ score: 0.5, chance: 0.5, count: 3, against: base });
    expect(selfWin.result.ties).toBe(3);
    expect(of(other, 'win rate').count).toBe(3);
    const rm = results.find((r) => r.evaluation === 'preference accuracy (reward model)')!;
    expect(rm.chance).toBe(0.5);
    expect(rm.count).toBeGreaterThan(0);
  });

  it('prints a table: one row per checkpoint and evaluation, score then chance', async () => {
    const { code, printed } = await train([
      'eval',
      ...['--checkpoint', base, '--backend', 'cpu', '--cloze', textFile, '--held-out', '1'],
      ...['--cloze-count', '10'],
    ]);
    expect(code).toBe(0);
    const lines = printed.join('\n').split('\n');
    expect(lines[0]).toMatch(/^checkpoint\s+evaluation\s+data\s+score\s+chance\s+n$/);
    expect(lines[1]).toMatch(/cloze \(line\)\s+verse\.txt\s+\d\.\d{3}\s+0\.250\s+10$/);
    expect(lines).toHaveLength(2);
  });

  it('refuses incomplete or bad requests with exit code 2, naming the fix', async () => {
    const cases: [string[], RegExp][] = [
      [['--checkpoint', base], /eval needs an evaluation: --text FILE/],
      [['--text', textFile], /eval needs --checkpoint DIR/],
      [
        ['--checkpoint', base, '--multiple-choice', hellaswag],
        /--multiple-choice needs --layout hellaswag, arc or mmlu/,
      ],
      [['--checkpoint', base, '--pairs', pairsFile], /--pairs needs a score: --reference DIR/],
      [['--checkpoint', base, '--compare', base], /--compare needs --reward-model DIR/],
      [
        ['--checkpoint', base, '--text', textFile, '--reference', base],
        /--reference scores --pairs FILE/,
      ],
      [
        ['--checkpoint', base, '--text', textFile, '--reward-model', rewardDir],
        /--reward-model scores --pairs FILE or judges --compare DIR/,
      ],
      [
        ['--checkpoint', base, '--cloze', textFile, '--cloze-unit', 'word'],
        /--cloze-unit "?word"?.*line.*sentence/,
      ],
      [
        ['--checkpoint', base, '--text', join(root, 'missing.txt')],
        /--text .*missing\.txt: no such file/,
      ],
      [
        ['--checkpoint', temp('empty'), '--text', textFile],
        /no checkpoint there .* give a checkpoint folder or the --out of a training run/,
      ],
      [['--checkpoint', base, '--text', textFile, '--held-out', '1.5'], /--held-out 1\.5: .*1/],
    ];
    for (const [args, message] of cases) {
      const { code, errors } = await train(['eval', '--backend', 'cpu', ...args]);
      expect(errors).toMatch(message);
      expect(code).toBe(2);
    }
  });

  it('a cloze the text cannot fill is an error of the work (exit 1) that names the fix', async () => {
    const { code, errors } = await train([
      'eval',
      ...['--checkpoint', base, '--backend', 'cpu', '--cloze', textFile, '--cloze-count', '5000'],
    ]);
    expect(code).toBe(1);
    expect(errors).toMatch(/need count 5000.*pass more text or a smaller count/);
  });
});
