// `lmkit-train loop`: the RLHF loop, small (online / iterative DPO). Each round samples --samples
// replies per prompt from the policy (an SFT checkpoint), scores them with a reward model saved by
// `lmkit-train reward`, keeps the best and the worst as a pair and runs DPO on the round's pairs
// against the frozen SFT checkpoint (@lmkit/trainer's onlineDpo). Each round has its own folder
// under --out (pairs.json, metrics.jsonl, checkpoints/); --resume continues a killed run: finished
// rounds are skipped, the open round resumes its DPO on the same pairs. SIGINT/SIGTERM stop at the
// end of a step (or before the next prompt is scored) with a checkpoint, and the round stays open.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  checkInput,
  checkOutputFolder,
  createProgress,
  flag,
  formatHelp,
  parseFlags,
  samplingFlags,
  UsageError,
} from '@lmkit/cli-kit';
import type { GPT } from '@lmkit/gpt-model';
import {
  loadCheckpoint,
  type OnlineDpoRound,
  onlineDpo,
  sftDefaultConfig,
  TrainerConfigError,
} from '@lmkit/trainer';
import { backendFlags, trainingFlags } from './args.ts';
import {
  checkSameTokenizer,
  describePrompts,
  endOfTurnId,
  findCheckpoint,
  loadChatCheckpoint,
  loadRewardCheckpoint,
  newestRoundCheckpoint,
  type RewardCheckpoint,
  readPrompts,
  renderPrompt,
} from './eval-command-models.ts';
import { trainingProgress } from './progress.ts';
import { checkTraining, configFlag, loadRunConfig } from './run-config.ts';
import { checkResumeSpelling } from './run-output.ts';
import { setUpBackend } from './setup.ts';
import { withSignals } from './signals.ts';

const {
  temperature,
  'top-k': topK,
  'top-p': topP,
  'max-new-tokens': maxNewTokens,
} = samplingFlags({
  temperature: 1,
  maxNewTokens: 64,
});

const dataFlags = {
  ...configFlag,
  base: flag.string({
    description: 'SFT checkpoint: the policy to align and the frozen reference',
    placeholder: 'DIR',
  }),
  'reward-model': flag.string({
    description: 'reward model: the --out (or a checkpoint) of `lmkit-train reward`',
    placeholder: 'DIR',
  }),
  prompts: flag.string({
    description: 'prompts JSONL: oasst1 trees, {"messages": [...]} or {"prompt": "..."} per line',
    placeholder: 'FILE',
  }),
  'val-fraction': flag.number({
    description:
      'share of the prompts held out (never trained on; lmkit-train eval --compare uses them); default 0.1',
    above: 0,
    max: 0.9,
    example: '0.1',
  }),
  'max-prompts': flag.number({
    description: 'prompts per round at most (the first N of the train split; default all)',
    integer: true,
    min: 1,
    example: '64',
  }),
  out: flag.string({
    description:
      'run folder: loop.json and round-N/ (pairs.json, metrics.jsonl, checkpoints/); default runs/train/loop',
    placeholder: 'DIR',
  }),
  resume: flag.boolean({
    description:
      'continue the stopped run in --out: finished rounds skipped, the open round resumed on its saved pairs',
  }),
};

const loopFlags = {
  rounds: flag.number({
    description: 'rounds of sample → score → DPO',
    integer: true,
    min: 1,
    max: 1000,
    default: 2,
  }),
  samples: flag.number({
    description: 'replies sampled per prompt; the best and the worst make a pair',
    integer: true,
    min: 2,
    max: 64,
    default: 4,
  }),
  'max-new-tokens': maxNewTokens,
  temperature,
  'top-k': topK,
  'top-p': topP,
  beta: flag.number({
    description: 'strength of the pull toward the SFT checkpoint',
    above: 0,
    default: 0.1,
  }),
};

const flags = { ...dataFlags, ...loopFlags, ...backendFlags, ...trainingFlags };

export const loopHelp = formatHelp({
  usage: 'lmkit-train loop --base CHECKPOINT --reward-model DIR --prompts FILE [flags]',
  description:
    'The RLHF loop, small (online DPO): each round samples --samples replies per prompt from the policy,\nscores them with the reward model, pairs the best with the worst and runs DPO on those pairs\n(reference = --base, frozen). Training flags apply to each round (default: one pass over its pairs).\nRounds live in --out/round-N; --resume continues a killed run.',
  groups: [
    { title: 'data and run folder', flags: dataFlags },
    { title: 'the loop', flags: { ...loopFlags, ...backendFlags } },
    { title: 'training (each round)', flags: trainingFlags },
  ],
});

/** Thrown from the reward model's score when a signal came while replies were being sampled. */
class StopRequested extends Error {}

export async function loopCommand(argv: string[]): Promise<number> {
  checkResumeSpelling(argv);
  const { values } = parseFlags(flags, argv);
  if (values.help) {
    console.log(loopHelp);
    return 0;
  }
  const run = loadRunConfig(values);
  const rewardDir = values.rewardModel as string | undefined;
  const promptsPath = values.prompts as string | undefined;
  if (!run.base)
    throw new UsageError(
      'loop needs --base CHECKPOINT (an SFT checkpoint folder: the policy and the reference)',
    );
  if (!rewardDir)
    throw new UsageError('loop needs --reward-model DIR (the --out of `lmkit-train reward`)');
  if (!promptsPath)
    throw new UsageError(
      'loop needs --prompts FILE (e.g. --prompts data/conversations/oasst1-en-100-trees.jsonl)',
    );
  checkTraining(run, sftDefaultConfig, { budgetOptional: true });
  checkInput('--prompts', promptsPath);
  findCheckpoint(run.base, '--base');
  findCheckpoint(rewardDir, '--reward-model');
  const outDir = run.outDir ?? resolve('runs/train/loop');
  checkOutputFolder('--out', outDir);
  const resume = values.resume === true;
  const started = existsSync(join(outDir, 'round-1'));
  if (resume && !started)
    throw new UsageError(
      `--resume: ${outDir} holds no loop run to continue; drop --resume to start one`,
    );
  if (!resume && started)
    throw new UsageError(
      `--out ${outDir} already holds a loop run (round-1/); add --resume to continue it, or give another --out`,
    );

  let progress = trainingProgress();
  progress.log(await setUpBackend(run));
  const policy = await loadChatCheckpoint(run.base, '--base');
  let reward: RewardCheckpoint | undefined;
  let reference: GPT | undefined;
  try {
    reward = await loadRewardCheckpoint(rewardDir);
    reference = (await loadCheckpoint(policy.dir)).model;
    checkSameTokenizer(
      policy,
      reward,
      `the reward model must read the policy's tokens: train it from the same SFT checkpoint (lmkit-train reward --base ${policy.dir})`,
    );
    const stop = endOfTurnId(policy.tokenizer, policy.dir);
    const blockSize = Math.min(policy.model.config.blockSize, reward.model.config.blockSize);
    const newTokens = values.maxNewTokens as number;
    if (newTokens > blockSize - 8)
      throw new UsageError(
        `--max-new-tokens ${newTokens} leaves too little room for a prompt in a context of ${blockSize} tokens; give at most ${blockSize - 8}`,
      );
    const split = await readPrompts({
      path: promptsPath,
      validationFraction: run.valFraction ?? 0.1,
    });
    progress.log(describePrompts(promptsPath, split));
    let tooLong = 0;
    const rendered = split.train.flatMap((prompt) => {
      const ids = renderPrompt(prompt, policy.tokenizer, { blockSize, maxNewTokens: newTokens });
      if (!ids) tooLong++;
      return ids ? [ids] : [];
    });
    const prompts = rendered.slice(0, (values.maxPrompts as number | undefined) ?? rendered.length);
    if (prompts.length === 0)
      throw new TrainerConfigError(
        `no train prompt of ${promptsPath} fits in ${blockSize - newTokens} tokens (the context ${blockSize} less --max-new-tokens ${newTokens}); lower --max-new-tokens or give shorter prompts`,
      );
    progress.log(
      `loop: ${values.rounds} rounds × ${prompts.length} prompts × ${values.samples} samples${tooLong ? ` (${tooLong} prompts too long for the context left out)` : ''}; rounds in ${outDir}`,
    );
    mkdirSync(outDir, { recursive: true });
    if (!resume)
      writeFileSync(
        join(outDir, 'loop.json'),
        `${JSON.stringify(
          {
            base: policy.dir,
            rewardModel: reward.dir,
            prompts: resolve(promptsPath),
            rounds: values.rounds,
            samples: values.samples,
            maxNewTokens: newTokens,
            temperature: values.temperature,
            beta: values.beta,
          },
          null,
          2,
        )}\n`,
      );

    let sampling: ReturnType<typeof createProgress> | undefined;
    let scored = 0;
    const log = (line: string) => {
      if (/^online DPO round \d+:/.test(line)) {
        progress.finish();
        progress = trainingProgress();
      }
      progress.log(line);
    };
    const judge = reward.model;
    const frozen = reference;
    const outcome = await withSignals(async (signal) => {
      const rewardModel = {
        async score(sequences: readonly (readonly number[])[]) {
          if (signal.aborted) throw new StopRequested();
          sampling ??= createProgress({
            unit: 'prompts',
            label: '[sampling]',
            total: prompts.length,
            stream: process.stdout,
            plainLines: false,
          });
          const scores = await judge.score(sequences);
          sampling.update(++scored);
          if (scored === prompts.length) {
            sampling.finish();
            sampling = undefined;
            scored = 0;
          }
          return scores;
        },
      };
      try {
        const rounds = await onlineDpo({
          policy: policy.model,
          reference: frozen,
          rewardModel,
          prompts,
          samples: values.samples as number,
          rounds: values.rounds as number,
          generation: {
            maxNewTokens: newTokens,
            temperature: values.temperature as number,
            topK: values.topK as number | undefined,
            topP: values.topP as number | undefined,
            stop: [stop],
            seed: run.training?.seed ?? 1337,
          },
          beta: values.beta as number,
          config: run.training,
          outDir,
          resume,
          tokenizerJson: policy.tokenizerJson,
          signal,
          log,
          onMetrics: (record) => progress.onMetrics(record),
        });
        // onlineDpo returns early, the open round left open, only when the signal stopped it.
        const cut = signal.aborted && rounds.length < (values.rounds as number);
        return { rounds, stoppedBy: cut ? 'signal' : 'budget' } as const;
      } catch (error) {
        if (!(error instanceof StopRequested)) throw error;
        return {
          rounds: finishedRounds(outDir, values.rounds as number),
          stoppedBy: 'signal',
        } as const;
      } finally {
        sampling?.finish();
      }
    });
    progress.finish();
    const checkpoint = newestRoundCheckpoint(outDir);
    if (outcome.stoppedBy === 'signal')
      console.error(
        `stopped by a signal; continue with the same flags and --resume (--out ${outDir})`,
      );
    console.log(
      JSON.stringify({
        rounds: outcome.rounds,
        checkpoint: checkpoint ?? null,
        stoppedBy: outcome.stoppedBy,
      }),
    );
    if (!checkpoint && outcome.stoppedBy === 'budget')
      console.error(
        `no round made a pair (every prompt's replies scored the same), so the policy is --base unchanged; raise --samples or --temperature`,
      );
    return outcome.stoppedBy === 'signal' ? 130 : 0;
  } finally {
    policy.model.dispose();
    reference?.dispose();
    reward?.model.dispose();
  }
}

/** The summaries of the rounds of a loop run that are done (their done.json), in order. */
function finishedRounds(outDir: string, rounds: number): OnlineDpoRound[] {
  const done: OnlineDpoRound[] = [];
  for (let round = 1; round <= rounds; round++) {
    const path = join(outDir, `round-${round}`, 'done.json');
    if (existsSync(path)) done.push(JSON.parse(readFileSync(path, 'utf8')));
  }
  return done;
}
