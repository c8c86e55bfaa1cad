// lmkit-train loop, in process, on apps/chat's tiny chat checkpoint (BPE with the chat markers, a
// random 2-layer GPT) and a reward model trained from it for one step by `lmkit-train reward`:
// rounds sample, score, pair and train, each in its own folder; a run stopped by SIGINT in round
// 2's DPO or while it samples exits 130 with that round open, and --resume ends where an
// uninterrupted run ends; bad input is refused with exit code 2 and a message naming the value and
// the fix.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkpointName } from '@lmkit/gpt-model';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildModels, repo, temp, train } from './eval-command.test-helpers.ts';
import { readPrompts } from './eval-command-models.ts';

let base: string;
let rewardDir: string;
let promptsFile: string;

beforeAll(async () => {
  const models = await buildModels({ blockSize: 96, steps: 1 });
  [base] = models.checkpoints;
  rewardDir = models.rewardDir;
  promptsFile = join(temp('prompts'), 'prompts.jsonl');
  const prompts = [
    'Tell me of the king.',
    'What says the duke?',
    'Speak of love and war.',
    'Where is my lord?',
    'Why weep you so?',
  ];
  writeFileSync(
    promptsFile,
    `${[
      ...prompts.map((prompt) => JSON.stringify({ prompt })),
      JSON.stringify({
        messages: [
          { role: 'user', content: 'Good morrow.' },
          { role: 'assistant', content: 'Good morrow, sir.' },
          { role: 'user', content: 'How fares the queen?' },
        ],
      }),
    ].join('\n')}\n`,
  );
});

afterEach(() => {
  vi.restoreAllMocks();
});

const loopArgs = (out: string, extra: string[] = []) => [
  'loop',
  ...['--base', base, '--reward-model', rewardDir, '--prompts', promptsFile, '--out', out],
  ...['--rounds', '2', '--samples', '3', '--max-new-tokens', '10', '--max-prompts', '3'],
  ...['--val-fraction', '0.01', '--max-steps', '2', '--batch-size', '2', '--backend', 'cpu'],
  ...['--checkpoint-every', '100', '--seed', '7'],
  ...extra,
];

const trainLosses = (out: string, round: number) =>
  readFileSync(join(out, `round-${round}`, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line))
    .filter((record) => record.type === 'train')
    .map((record) => [record.step, record.loss]);

describe('lmkit-train loop', () => {
  let straight: string;

  it('samples, scores and trains round after round, each round in its own folder', async () => {
    straight = temp('straight');
    const { code, printed, errors } = await train(loopArgs(straight));
    expect(errors).toBe('');
    expect(code).toBe(0);
    const summary = JSON.parse(printed.at(-1)!);
    expect(summary.stoppedBy).toBe('budget');
    expect(summary.rounds.map((r: { round: number }) => r.round)).toEqual([1, 2]);
    for (const round of summary.rounds) expect(round.pairs + round.skippedPrompts).toBe(3);
    expect(summary.checkpoint).toContain(join('round-2', 'checkpoints'));
    const made = JSON.parse(readFileSync(join(straight, 'round-1', 'pairs.json'), 'utf8'));
    expect(made.pairs.length).toBeGreaterThan(0);
    expect(trainLosses(straight, 2).map(([step]) => step)).toEqual([1, 2]);
    const settings = JSON.parse(readFileSync(join(straight, 'loop.json'), 'utf8'));
    expect(settings).toMatchObject({ rounds: 2, samples: 3, maxNewTokens: 10 });
    // The loop's checkpoints carry the tokenizer, so sample, chat and eval read them.
    expect(existsSync(join(summary.checkpoint, 'tokenizer.json'))).toBe(true);
  });

  /**
   * Runs the loop and sends SIGINT (to the command's own handler, not the test runner's) at the
   * first text it writes for which `when` is true; returns the run's result.
   */
  async function stopAt(out: string, when: (text: string) => boolean) {
    const before = process.listeners('SIGINT');
    let sent = false;
    const write = process.stdout.write.bind(process.stdout);
    vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array) => {
      if (!sent && when(String(chunk))) {
        sent = true;
        for (const listener of process.listeners('SIGINT'))
          if (!before.includes(listener)) (listener as (name: string) => void)('SIGINT');
      }
      return write(chunk);
    }) as typeof process.stdout.write);
    try {
      return { ...(await train(loopArgs(out))), sent };
    } finally {
      vi.mocked(process.stdout.write).mockRestore();
    }
  }

  const weights = (dir: string) =>
    readFileSync(join(dir, 'round-2', 'checkpoints', checkpointName(2), 'model.safetensors'));

  /** --resume finishes the run in `out`; it ends as the uninterrupted run did. */
  async function resumeAndCompare(out: string) {
    const resumed = await train(loopArgs(out, ['--resume']));
    expect(resumed.errors).toBe('');
    expect(resumed.code).toBe(0);
    const summary = JSON.parse(resumed.printed.at(-1)!);
    expect(summary.rounds.map((r: { round: number }) => r.round)).toEqual([1, 2]);
    expect(readFileSync(join(out, 'round-2', 'pairs.json'), 'utf8')).toBe(
      readFileSync(join(straight, 'round-2', 'pairs.json'), 'utf8'),
    );
    const [got, want] = [trainLosses(out, 2), trainLosses(straight, 2)];
    expect(got.map(([step]) => step)).toEqual([1, 2]);
    for (const [i, [, loss]] of want.entries()) expect(got[i][1]).toBeCloseTo(loss, 5);
    expect(weights(out).equals(weights(straight))).toBe(true);
  }

  it("a SIGINT in round 2's DPO leaves the round open (exit 130); --resume ends where the uninterrupted run ends", async () => {
    const out = temp('stopped');
    // The first step line after round 2 has made its pairs.
    let round2 = false;
    const stopped = await stopAt(out, (text) => {
      round2 ||= text.includes('online DPO round 2:');
      return round2 && /step 1\/2 \| loss/.test(text);
    });
    expect(stopped.sent).toBe(true);
    expect(stopped.code).toBe(130);
    expect(JSON.parse(stopped.printed.at(-1)!).stoppedBy).toBe('signal');
    expect(existsSync(join(out, 'round-1', 'done.json'))).toBe(true);
    expect(existsSync(join(out, 'round-2', 'done.json'))).toBe(false);
    expect(trainLosses(out, 2).map(([step]) => step)).toEqual([1]);

    const again = await train(loopArgs(out));
    expect(again.code).toBe(2);
    expect(again.errors).toMatch(/already holds a loop run \(round-1\/\); add --resume/);
    await resumeAndCompare(out);
  });

  it('a SIGINT while round 2 samples stops before its pairs are saved (exit 130); --resume samples them again', async () => {
    const out = temp('sampling');
    // The sampling display draws only on a terminal: one, so its first line of round 2 is a cue.
    Object.defineProperty(process.stdout, 'isTTY', { value: true, configurable: true });
    let round1Done = false;
    try {
      const stopped = await stopAt(out, (text) => {
        round1Done ||= text.includes(join('round-1', 'checkpoints', checkpointName(2)));
        return round1Done && text.includes('[sampling]');
      });
      expect(stopped.sent).toBe(true);
      expect(stopped.code).toBe(130);
      expect(JSON.parse(stopped.printed.at(-1)!).rounds).toHaveLength(1);
    } finally {
      Object.defineProperty(process.stdout, 'isTTY', { value: undefined, configurable: true });
    }
    expect(existsSync(join(out, 'round-1', 'done.json'))).toBe(true);
    expect(existsSync(join(out, 'round-2', 'pairs.json'))).toBe(false);
    await resumeAndCompare(out);
  });

  it.each([
    [['--reward-model'], /loop needs --reward-model DIR/],
    [['--prompts'], /loop needs --prompts FILE \(e\.g\. --prompts data\/conversations/],
  ])('asks for a missing %s with an example', async ([missing], message) => {
    const args = loopArgs(temp('missing'));
    const at = args.indexOf(missing);
    args.splice(at, 2);
    const { code, errors } = await train(args);
    expect(code).toBe(2);
    expect(errors).toMatch(message);
  });

  it('refuses bad values, naming the value, the limit and the fix (exit 2)', async () => {
    const cases: [string[], RegExp][] = [
      [['--samples', '1'], /--samples 1: .*2/],
      [
        ['--max-new-tokens', '200'],
        /--max-new-tokens 200 leaves too little room .* 96 tokens; give at most 88/,
      ],
      [['--resume'], /--resume: .* holds no loop run to continue; drop --resume/],
    ];
    for (const [extra, message] of cases) {
      const { code, errors } = await train(loopArgs(temp('bad'), extra));
      expect(errors).toMatch(message);
      expect(code).toBe(2);
    }
    const args = loopArgs(temp('not-reward'));
    args[args.indexOf('--reward-model') + 1] = base;
    const wrong = await train(args);
    expect(wrong.code).toBe(2);
    expect(wrong.errors).toMatch(
      /is a sft checkpoint, not a reward model; give the --out of `lmkit-train reward`/,
    );
  });
});

describe('the prompts of the loop (readPrompts)', () => {
  const oasst = join(repo, 'data/conversations/oasst1-en-100-trees.jsonl');

  it('reads every user turn of oasst1 trees once, each tree whole on one side of the split', async () => {
    const split = await readPrompts({ path: oasst, validationFraction: 0.1 });
    expect(split.rows).toBe(100);
    expect(split.skipped).toEqual({});
    const all = [...split.train, ...split.validation];
    expect(new Set(all.map((prompt) => JSON.stringify(prompt))).size).toBe(all.length);
    for (const prompt of all) expect(prompt.at(-1)?.role).toBe('user');
    expect(all.some((prompt) => prompt.length >= 3)).toBe(true);
    const sideOfTree = new Map<string, string>();
    for (const [side, prompts] of Object.entries(split))
      if (side === 'train' || side === 'validation')
        for (const prompt of prompts as typeof all) {
          const root = prompt[0].content;
          expect(sideOfTree.get(root) ?? side).toBe(side);
          sideOfTree.set(root, side);
        }
    expect(split.validation.length).toBeGreaterThan(0);
    expect(split.train.length).toBeGreaterThan(split.validation.length);
  });

  it('names the line and the fix for a row it cannot read', async () => {
    const path = join(temp('bad-prompts'), 'prompts.jsonl');
    writeFileSync(path, '{"prompt": "fine"}\n{"question": "what?"}\n');
    await expect(readPrompts({ path, validationFraction: 0.1 })).rejects.toThrow(
      /prompts\.jsonl:2: the row has neither messages nor prompt; give \{"prompt": "text"\}/,
    );
    // Messages are checked as datasets checks every conversation: roles, their order, content.
    writeFileSync(
      path,
      '{"messages": [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}]}\n',
    );
    await expect(readPrompts({ path, validationFraction: 0.1 })).rejects.toThrow(
      /prompts\.jsonl:1: messages: messages\[1\]\.role is user but assistant comes next/,
    );
  });
});
