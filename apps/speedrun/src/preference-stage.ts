// Stage 7: preference alignment after SFT, as the recipe has it. A reward model (the SFT model
// with a scalar head, Bradley–Terry loss) and DPO (policy = the SFT model, reference = the SFT
// model frozen) on oasst1's ranked replies of the training trees; optionally one round of online
// DPO (sample replies from the policy, keep the reward model's best and worst, DPO on them). The
// aligned model is copied to its own folder beside chat-model/.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tokenizerFromJSON } from '@lmkit/bpe';
import { renderPairs } from '@lmkit/chat-template';
import { IM_END } from '@lmkit/core';
import { setBackend } from '@lmkit/gpt-model';
import {
  dpo,
  listCheckpoints,
  loadCheckpoint,
  type OnlineDpoRound,
  onlineDpo,
  RewardModel,
  readMetrics,
  trainRewardModel,
} from '@lmkit/trainer';
import { oasstPath } from './paths.ts';
import { generationPrompts, preferenceSplit, wholePairs } from './preference-data.ts';
import { dpoConfig, postTrainingConfig, rewardConfig, type SpeedrunPreset } from './presets.ts';
import { SpeedrunError, type Stage } from './runner.ts';
import {
  progressReporter,
  publishModel,
  resumeFlag,
  sftStage,
  type TrainStats,
  trainStats,
} from './train-stages.ts';

/** The aligned chat model's folder inside the run folder (`pnpm chat --checkpoint` it). */
export const ALIGNED_MODEL_DIR = 'aligned-model';

export interface PreferenceStats {
  /** DPO's pairs of the training trees (chat-template's renderPairs: prompt cropped, replies cut to fit). */
  trainPairs: number;
  /** The reward model's pairs: those of the training trees whose replies fit whole. */
  rewardPairs: number;
  validationPairs: number;
  /** DPO pairs truncated to fit the context: prompt turns dropped and/or replies cut (held-out pairs never are). */
  truncatedPairs: number;
  /** Pairs left out because they cannot be fitted: DPO's that renderPairs skipped + held-out pairs without whole replies. */
  skippedTooLong: number;
  /** What the oasst1 reader left out, by reason (deleted, unranked, ties …). */
  leftOut: Record<string, number>;
  /** The reward model's training; its last checkpoint is the reward model the eval stage loads. */
  reward: TrainStats & { heldOutAccuracy?: number };
  dpo: TrainStats & { beta: number; heldOutAccuracy?: number; heldOutMargin?: number };
  /** The online DPO round, when the preset has one. */
  online?: OnlineDpoRound[];
  /** The aligned model (run-relative). */
  alignedModelDir: string;
}

/** The last evaluation's extra numbers (accuracy, margin) of a metrics file. */
function lastEvalExtra(metricsPath: string): Record<string, number> {
  const val = readMetrics(metricsPath).filter((r) => r.type === 'val');
  return val.at(-1)?.extra ?? {};
}

export const preferenceStage: Stage<SpeedrunPreset, PreferenceStats> = {
  name: 'preference',
  title: 'preference: reward model and DPO on oasst1 ranked replies',
  params: (preset) => ({
    preference: preset.preference,
    seed: preset.seed ?? null,
    backend: preset.backend ?? 'auto',
  }),
  inputs: ({ statsOf, path }) => [path(statsOf(sftStage).chatModelDir), oasstPath()],
  outputs: (stats) => [
    stats.reward.checkpoint,
    stats.reward.metricsPath,
    stats.dpo.metricsPath,
    stats.alignedModelDir,
  ],
  writes: [ALIGNED_MODEL_DIR],
  async run(context) {
    const { dir, outDir, preset, statsOf, path, relative } = context;
    const p = preset.preference;
    await setBackend(preset.backend ?? 'auto');
    const chatDir = path(statsOf(sftStage).chatModelDir);
    const open = async () => (await loadCheckpoint(chatDir)).model;
    const sft = await loadCheckpoint(chatDir);
    const tokenizerJson = sft.tokenizerJson;
    if (!tokenizerJson)
      throw new SpeedrunError(`${chatDir} has no tokenizer.json; redo --from sft`);
    const tokenizer = tokenizerFromJSON(tokenizerJson);
    const blockSize = sft.model.config.blockSize;
    const split = await preferenceSplit(preset);
    // DPO trains on every pair that can be fitted (renderPairs: the prompt keeps its last turns,
    // replies are cut at the end); the reward model only on whole replies (its head reads the last
    // token, which in a cut reply is mid-sentence).
    const train = renderPairs(split.train, tokenizer, { maxTokens: blockSize });
    const whole = wholePairs(split.train, tokenizer, blockSize);
    const validation = wholePairs(split.validation, tokenizer, blockSize);
    const pairs = train.pairs
      .slice(0, p.maxPairs)
      .map(({ chosen, rejected }) => ({ chosen, rejected }));
    const rewardPairs = whole.examples.slice(0, p.maxPairs);
    if (rewardPairs.length === 0 || validation.examples.length === 0) {
      throw new SpeedrunError(
        `${rewardPairs.length} training and ${validation.examples.length} held-out preference pairs fit the context of ${blockSize} tokens; both need at least one (raise model.blockSize or preference.validationFraction)`,
      );
    }
    const valPairs = validation.examples;

    context.progress.log(`reward model: ${rewardPairs.length} pairs, ${valPairs.length} held out`);
    const rewardDir = join(dir, 'reward');
    const rewardModel = new RewardModel(sft.model, { seed: preset.seed ?? 0 });
    const rewardResult = trainStats(
      await trainRewardModel({
        model: rewardModel,
        pairs: rewardPairs,
        valPairs,
        config: rewardConfig(preset),
        outDir: rewardDir,
        resume: resumeFlag(rewardDir),
        tokenizerJson,
        log: () => {},
        onMetrics: progressReporter(context, p.reward.maxSteps, p.reward.maxMinutes),
      }),
      relative,
    );

    context.progress.log(
      `DPO: ${pairs.length} pairs (${train.truncated} truncated to fit), beta ${p.dpo.beta}, reference = the SFT model, frozen`,
    );
    const dpoDir = join(dir, 'dpo');
    const policy = await open();
    const reference = await open();
    const dpoResult = trainStats(
      await dpo({
        policy,
        reference,
        pairs,
        valPairs,
        beta: p.dpo.beta,
        config: dpoConfig(preset),
        outDir: dpoDir,
        resume: resumeFlag(dpoDir),
        tokenizerJson,
        log: () => {},
        onMetrics: progressReporter(context, p.dpo.maxSteps, p.dpo.maxMinutes),
      }),
      relative,
    );
    let aligned = path(dpoResult.checkpoint);

    let online: OnlineDpoRound[] | undefined;
    if (p.online) {
      const o = p.online;
      context.progress.log(
        `online DPO: ${o.samples} replies to each of ${o.prompts} prompts, the reward model's best over its worst`,
      );
      const onlineDir = join(dir, 'online');
      online = await onlineDpo({
        policy,
        reference,
        rewardModel,
        prompts: generationPrompts(
          split.train,
          tokenizer,
          o.prompts,
          blockSize - o.maxNewTokens,
        ).map((prompt) => prompt.ids),
        samples: o.samples,
        rounds: 1,
        beta: p.dpo.beta,
        generation: {
          stop: [tokenizer.specialTokenId(IM_END)!],
          maxNewTokens: o.maxNewTokens,
          temperature: 1,
          topK: 40,
          seed: preset.seed ?? 0,
        },
        config: postTrainingConfig(
          { ...p.dpo, maxSteps: o.maxSteps, maxMinutes: undefined },
          preset.seed,
        ),
        outDir: onlineDir,
        resume: existsSync(onlineDir),
        tokenizerJson,
        log: () => {},
      });
      const last = listCheckpoints(join(onlineDir, 'round-1', 'checkpoints')).at(-1);
      if (last) aligned = last.dir;
    }
    publishModel(aligned, join(outDir, ALIGNED_MODEL_DIR));
    for (const model of [rewardModel, policy, reference]) model.dispose();

    const rewardVal = lastEvalExtra(path(rewardResult.metricsPath));
    const dpoVal = lastEvalExtra(path(dpoResult.metricsPath));
    return {
      trainPairs: pairs.length,
      rewardPairs: rewardPairs.length,
      validationPairs: valPairs.length,
      truncatedPairs: train.truncated,
      skippedTooLong: train.skipped + validation.tooLong,
      leftOut: split.leftOut,
      reward: { ...rewardResult, heldOutAccuracy: rewardVal.accuracy },
      dpo: {
        ...dpoResult,
        beta: p.dpo.beta,
        heldOutAccuracy: dpoVal.accuracy,
        heldOutMargin: dpoVal.margin,
      },
      ...(online ? { online } : {}),
      alignedModelDir: ALIGNED_MODEL_DIR,
    };
  },
  summarize: (s) =>
    `${s.trainPairs} pairs (${s.validationPairs} held out): reward model ${s.reward.steps} steps, held-out accuracy ${s.reward.heldOutAccuracy?.toFixed(3) ?? '—'}; DPO ${s.dpo.steps} steps, held-out accuracy ${s.dpo.heldOutAccuracy?.toFixed(3) ?? '—'}`,
};
