// The RLHF loop, small (online / iterative DPO): each round samples N replies per prompt from the
// policy, scores them with the reward model, keeps the best and the worst as a new pair, and runs
// DPO on those pairs against the reference. Token level (prompts come rendered, ending in the
// assistant header), so any tokenizer and template plug in. Each round has its own folder; the
// round's pairs are saved before training, so a run killed mid-round resumes that round's DPO on
// the same pairs, and finished rounds are skipped.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GenerateOptions } from '@lmkit/core';
import { listCheckpoints } from '@lmkit/gpt-model';
import { type DpoOptions, type DpoPolicy, dpo } from './dpo.ts';
import type { LogitsModel, PreferenceExample } from './dpo-loss.ts';
import { TrainerConfigError } from './errors.ts';
import { restoreWeights } from './loop/train-loop.ts';
import type { RewardModel } from './reward-model.ts';

export interface OnlineDpoOptions
  extends Omit<DpoOptions, 'pairs' | 'valPairs' | 'outDir' | 'resume'> {
  policy: DpoPolicy;
  reference: LogitsModel;
  rewardModel: Pick<RewardModel, 'score'>;
  /** Rendered prompts, each ending in the assistant header (`render(..., { addGenerationPrompt: true })`). */
  prompts: readonly (readonly number[])[];
  /** Replies sampled per prompt; default 4. */
  samples?: number;
  /** Rounds of sample → score → DPO; default 2. */
  rounds?: number;
  /** Sampling of the replies: stop ids (the end-of-turn marker), maxNewTokens, temperature; seeded per round and sample. */
  generation: Omit<GenerateOptions, 'seed'> & { seed?: number };
  outDir: string;
  /** Continue a killed run in `outDir` (finished rounds skipped, the open round resumed). */
  resume?: boolean;
}

export interface OnlineDpoRound {
  round: number;
  pairs: number;
  /** Prompts whose replies all scored the same (no pair made). */
  skippedPrompts: number;
  /** Mean reward of the kept best and worst replies. */
  bestReward: number;
  worstReward: number;
}

/**
 * Runs the rounds; resolves to the finished rounds' summaries. When `options.signal` aborts, the
 * open round's DPO writes its checkpoint and stops, the round is left unfinished (no `done.json`)
 * and no further round starts: a rerun with `resume` continues that round on the same pairs. An
 * abort while sampling stops before the next prompt and saves no pairs (resume samples them again,
 * with the same seeds).
 */
export async function onlineDpo(options: OnlineDpoOptions): Promise<OnlineDpoRound[]> {
  const samples = options.samples ?? 4;
  const rounds = options.rounds ?? 2;
  if (!Number.isInteger(samples) || samples < 2)
    throw new TrainerConfigError(
      `samples ${samples} must be a whole number ≥ 2 (best and worst of N)`,
    );
  if (options.prompts.length === 0)
    throw new TrainerConfigError('onlineDpo needs at least one prompt');
  const summaries: OnlineDpoRound[] = [];
  for (let round = 1; round <= rounds; round++) {
    const dir = join(options.outDir, `round-${round}`);
    const pairsPath = join(dir, 'pairs.json');
    const done = join(dir, 'done.json');
    if (options.resume && existsSync(done)) {
      summaries.push(JSON.parse(readFileSync(done, 'utf8')));
      const checkpoints = listCheckpoints(join(dir, 'checkpoints'));
      // A finished round's final weights go back into the policy before the next round.
      if (checkpoints.length > 0) restoreWeights(options.policy, checkpoints.at(-1)!.dir);
      continue;
    }
    // Stopped (options.signal): the open round stays open, so `resume` picks it up.
    if (options.signal?.aborted) return summaries;
    mkdirSync(dir, { recursive: true });
    let made: { pairs: PreferenceExample[]; summary: OnlineDpoRound };
    if (options.resume && existsSync(pairsPath)) made = JSON.parse(readFileSync(pairsPath, 'utf8'));
    else {
      made = await samplePairs(options, round, samples);
      // Stopped while sampling: the pairs are partial, so they are not saved (resume samples again).
      if (options.signal?.aborted) return summaries;
      writeFileSync(pairsPath, JSON.stringify(made));
    }
    options.log?.(
      `online DPO round ${round}: ${made.summary.pairs} pairs (${made.summary.skippedPrompts} prompts without a preference), best reward ${made.summary.bestReward.toFixed(4)}, worst ${made.summary.worstReward.toFixed(4)}`,
    );
    if (made.pairs.length > 0) {
      const result = await dpo({
        ...options,
        pairs: made.pairs,
        outDir: dir,
        resume: options.resume && existsSync(join(dir, 'checkpoints')) ? true : undefined,
      });
      // The round's DPO was cut short: no done marker, no next round (its checkpoint resumes it).
      if (result.stoppedBy === 'signal') return summaries;
    }
    writeFileSync(done, JSON.stringify(made.summary));
    summaries.push(made.summary);
  }
  return summaries;
}

async function samplePairs(options: OnlineDpoOptions, round: number, samples: number) {
  const pairs: PreferenceExample[] = [];
  let skippedPrompts = 0;
  let best = 0;
  let worst = 0;
  const baseSeed = (options.generation.seed ?? 0) + round * 1_000_003;
  for (const [p, prompt] of options.prompts.entries()) {
    if (options.signal?.aborted) break;
    const replies: number[][] = [];
    for (let s = 0; s < samples; s++) {
      const reply: number[] = [];
      const stream = options.policy.generate([...prompt], {
        ...options.generation,
        seed: baseSeed + p * samples + s,
        includeStop: true,
      } as GenerateOptions);
      for await (const token of stream) reply.push(token);
      replies.push(reply.length > 0 ? reply : (options.generation.stop ?? []).slice(0, 1));
    }
    const sequences = replies.map((reply) => [...prompt, ...reply]);
    const scores = await options.rewardModel.score(sequences);
    let hi = 0;
    let lo = 0;
    for (let i = 1; i < scores.length; i++) {
      if (scores[i] > scores[hi]) hi = i;
      if (scores[i] < scores[lo]) lo = i;
    }
    if (scores[hi] === scores[lo] || replies[hi].length === 0 || replies[lo].length === 0) {
      skippedPrompts++;
      continue;
    }
    const example = (reply: number[]) => ({
      ids: [...prompt, ...reply],
      lossMask: [...prompt.map(() => 0), ...reply.map(() => 1)],
    });
    pairs.push({ chosen: example(replies[hi]), rejected: example(replies[lo]) });
    best += scores[hi];
    worst += scores[lo];
  }
  const n = Math.max(1, pairs.length);
  return {
    pairs,
    summary: {
      round,
      pairs: pairs.length,
      skippedPrompts,
      bestReward: best / n,
      worstReward: worst / n,
    },
  };
}
