// Preference accuracy on held-out pairs: how often a score prefers the chosen reply to the
// rejected one (ties count half; chance is 0.5). The score is any function of (prompt, reply): a
// reward model, a policy's log-likelihood of the reply, or DPO's implicit reward
// β·(log π(reply) − log π_ref(reply)), both of which `replyLogProb` computes from a scorer.

import { render } from '@lmkit/chat-template';
import type { Message, TokenizerLike } from '@lmkit/core';
import type { PreferencePair } from '@lmkit/datasets';
import { EvalsError } from './errors.ts';
import type { SequenceScorer } from './scorer.ts';

export type ReplyScore = (prompt: Message[], reply: Message[]) => Promise<number> | number;

export interface PreferenceAccuracyResult {
  accuracy: number;
  chance: 0.5;
  count: number;
  ties: number;
  /** Mean of score(chosen) − score(rejected). */
  meanMargin: number;
}

export async function evaluatePreferenceAccuracy(options: {
  pairs: readonly PreferencePair[];
  score: ReplyScore;
}): Promise<PreferenceAccuracyResult> {
  if (options.pairs.length === 0) throw new EvalsError('no pairs to evaluate; pass at least one');
  let wins = 0;
  let ties = 0;
  let margin = 0;
  for (const pair of options.pairs) {
    const difference =
      (await options.score(pair.prompt, pair.chosen)) -
      (await options.score(pair.prompt, pair.rejected));
    if (difference > 0) wins++;
    else if (difference === 0) ties++;
    margin += difference;
  }
  const count = options.pairs.length;
  return {
    accuracy: (wins + ties / 2) / count,
    chance: 0.5,
    count,
    ties,
    meanMargin: margin / count,
  };
}

/**
 * Sum of ln p over the reply's trained tokens (the chat template's loss mask: what the assistant
 * writes and its closing <|im_end|>), with the prompt cropped by whole turns to fit the context.
 */
export async function replyLogProb(options: {
  scorer: SequenceScorer;
  tokenizer: TokenizerLike;
  prompt: Message[];
  reply: Message[];
}): Promise<number> {
  const { ids, lossMask } = render(
    { messages: [...options.prompt, ...options.reply] },
    options.tokenizer,
    {
      maxTokens: options.scorer.contextLength + 1,
    },
  );
  const [values] = await options.scorer.tokenLogProbs([ids]);
  let sum = 0;
  for (let t = 0; t < values.length; t++) if (lossMask[t + 1] === 1) sum += values[t];
  return sum;
}

/** DPO's implicit reward β·(log π(reply) − log π_ref(reply)) as a ReplyScore. */
export function implicitReward(options: {
  policy: SequenceScorer;
  reference: SequenceScorer;
  tokenizer: TokenizerLike;
  beta: number;
}): ReplyScore {
  return async (prompt, reply) =>
    options.beta *
    ((await replyLogProb({ scorer: options.policy, tokenizer: options.tokenizer, prompt, reply })) -
      (await replyLogProb({
        scorer: options.reference,
        tokenizer: options.tokenizer,
        prompt,
        reply,
      })));
}

/** What `rewardModelScore` needs of a reward model (@lmkit/trainer's RewardModel has it). */
export interface SequenceRewardModel {
  config: { blockSize: number };
  /** One reward per token sequence. */
  score(sequences: readonly (readonly number[])[]): Promise<ArrayLike<number>>;
}

/**
 * A reward model as a ReplyScore: its reward of the rendered conversation (prompt + reply), the
 * prompt cropped by whole turns to fit the model's context.
 */
export function rewardModelScore(options: {
  model: SequenceRewardModel;
  tokenizer: TokenizerLike;
}): ReplyScore {
  return async (prompt, reply) => {
    const { ids } = render({ messages: [...prompt, ...reply] }, options.tokenizer, {
      maxTokens: options.model.config.blockSize,
    });
    return (await options.model.score([ids]))[0];
  };
}

export interface WinRateResult {
  /** Share of prompts where model A's reply scores above model B's (ties count half). */
  winRate: number;
  chance: 0.5;
  count: number;
  ties: number;
}

/**
 * The reward model's win rate of one model's replies over another's on the same prompts
 * (e.g. the aligned model over the SFT model): `score` is the reward model as a ReplyScore.
 */
export async function evaluateWinRate(options: {
  prompts: readonly Message[][];
  /** Model A's reply to each prompt, in order. */
  repliesA: readonly Message[][];
  repliesB: readonly Message[][];
  score: ReplyScore;
}): Promise<WinRateResult> {
  const { prompts, repliesA, repliesB } = options;
  if (
    prompts.length === 0 ||
    repliesA.length !== prompts.length ||
    repliesB.length !== prompts.length
  ) {
    throw new EvalsError(
      `${prompts.length} prompts, ${repliesA.length} replies of A and ${repliesB.length} of B; give one reply of each model per prompt (at least one prompt)`,
    );
  }
  const pairs = prompts.map((prompt, i) => ({
    prompt,
    chosen: repliesA[i],
    rejected: repliesB[i],
  }));
  const result = await evaluatePreferenceAccuracy({ pairs, score: options.score });
  return { winRate: result.accuracy, chance: 0.5, count: result.count, ties: result.ties };
}
