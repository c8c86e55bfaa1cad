// Stages 5–6: pre-train a small GPT on the shards, then fine-tune it on conversations (oasst1
// threads plus synthetic identity conversations) into a chat model. The chat markers enter the
// vocabulary at SFT (the tokenizer gains them, the trainer grows the model's embedding), and a
// conversation longer than the context keeps its first whole turns. Both stages resume from the
// trainer's checkpoints when a run was interrupted.
import { cpSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadTokenizer, type Tokenizer } from '@lmkit/bpe';
import { CHAT_MARKERS, render, renderForSft } from '@lmkit/chat-template';
import {
  type Conversation,
  conversationKey,
  identityConversations,
  readOasstTrees,
  splitOf,
} from '@lmkit/datasets';
import { GPT, setBackend } from '@lmkit/gpt-model';
import {
  listCheckpoints,
  loadCheckpoint,
  type MetricsRecord,
  pretrain,
  sft,
  type TrainingResult,
} from '@lmkit/trainer';
import { shardsStage, tokenizerStage } from './data-stages.ts';
import { oasstPath } from './paths.ts';
import { heldOutTrees, treeKey } from './preference-data.ts';
import { pretrainConfig, type SpeedrunPreset, sftConfig } from './presets.ts';
import { SpeedrunError, type Stage, type StageContext } from './runner.ts';

/** The chat model folder `pnpm chat` serves by default, inside the run's output folder. */
export const CHAT_MODEL_DIR = 'chat-model';

export function progressReporter(
  context: StageContext<SpeedrunPreset>,
  maxSteps: number,
  maxMinutes?: number,
) {
  return (record: MetricsRecord) => {
    if (record.type !== 'train') {
      context.progress.log(
        `step ${record.step}: val loss ${record.loss.toFixed(4)}${record.bitsPerByte !== undefined ? `, ${record.bitsPerByte.toFixed(3)} bits/byte` : ''}${record.stopRate !== undefined ? `, ${(record.stopRate * 100).toFixed(0)}% replies end with <|im_end|>` : ''}`,
      );
      return;
    }
    const byTime = maxMinutes ? record.trainingTimeMs / (maxMinutes * 60_000) : 0;
    const fraction = Math.max(record.step / maxSteps, byTime);
    context.progress.update(
      record.step,
      maxSteps,
      `loss ${record.loss.toFixed(3)} · ${Math.round(record.tokensPerSecond)} tok/s`,
      { unit: 'steps', fraction },
    );
  };
}

/**
 * Resume when an interrupted run left a checkpoint in this stage's folder (the runner empties the
 * folder first unless that run had the very same parameters and inputs).
 */
export function resumeFlag(outDir: string): boolean {
  return listCheckpoints(join(outDir, 'checkpoints')).length > 0;
}

/**
 * Copies a final checkpoint to a model folder of its own (what `pnpm chat` serves), through a
 * temporary sibling renamed into place, so a kill mid-copy never leaves a partial model there.
 */
export function publishModel(checkpoint: string, modelDir: string): void {
  const partial = `${modelDir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  cpSync(checkpoint, partial, { recursive: true });
  rmSync(modelDir, { recursive: true, force: true });
  renameSync(partial, modelDir);
}

/** A training stage's stats: the trainer's result, with run-relative paths. */
export interface TrainStats extends Omit<TrainingResult, 'checkpoint' | 'metricsPath' | 'plots'> {
  /** The last checkpoint folder, relative to the run folder. */
  checkpoint: string;
  metricsPath: string;
  plots: { svg: string; png: string };
}

export function trainStats(result: TrainingResult, relative: (path: string) => string): TrainStats {
  if (!result.checkpoint) {
    throw new SpeedrunError(`training stopped at step ${result.steps} without a checkpoint`);
  }
  return {
    ...result,
    checkpoint: relative(result.checkpoint),
    metricsPath: relative(result.metricsPath),
    plots: { svg: relative(result.plots.svg), png: relative(result.plots.png) },
  };
}

export interface PretrainStats extends TrainStats {
  backend: string;
}

export const pretrainStage: Stage<SpeedrunPreset, PretrainStats> = {
  name: 'pretrain',
  title: 'pretrain: a small GPT on the token shards',
  params: (preset) => ({
    model: preset.model,
    pretrain: preset.pretrain,
    backend: preset.backend ?? 'auto',
  }),
  inputs: ({ statsOf, path }) => {
    const shards = statsOf(shardsStage);
    return [statsOf(tokenizerStage).path, ...shards.val, ...shards.train].map(path);
  },
  outputs: (stats) => [stats.checkpoint, stats.metricsPath],
  async run(context) {
    const { dir, preset, statsOf, path } = context;
    const backend = await setBackend(preset.backend ?? 'auto');
    const tokenizer = await loadTokenizer(path(statsOf(tokenizerStage).path));
    const shards = statsOf(shardsStage);
    const model = new GPT(
      { vocabSize: tokenizer.vocabSize, bias: true, ...preset.model },
      { seed: 1337 },
    );
    const p = preset.pretrain;
    const result = await pretrain({
      model,
      trainFiles: shards.train.map(path),
      valFiles: shards.val.map(path),
      outDir: dir,
      resume: resumeFlag(dir),
      tokenizer,
      tokenizerJson: tokenizer.toJSON(),
      config: pretrainConfig(preset),
      log: () => {},
      onMetrics: progressReporter(context, p.maxSteps, p.maxMinutes),
    });
    model.dispose();
    return { backend, ...trainStats(result, context.relative) };
  },
  summarize: (s) =>
    `${s.steps} steps, ${s.tokensSeen} tokens, val loss ${s.lastValLoss?.toFixed(4)}`,
};

/**
 * oasst1 threads (every root-to-leaf path) and identity conversations, split by hash; the threads
 * of the trees the preference stage holds out are on the validation side whatever their hash.
 */
export async function chatConversations(preset: SpeedrunPreset) {
  const heldOut = await heldOutTrees(preset);
  const all: Conversation[] = [];
  for await (const conversation of readOasstTrees({
    path: oasstPath(),
    paths: 'all',
  })) {
    all.push(conversation);
  }
  const oasst = all.length;
  const heldOutThreads = all.filter((c) => heldOut.has(treeKey(c.messages))).length;
  all.push(...identityConversations({ count: preset.sft.identityConversations, seed: 7 }));
  const train: Conversation[] = [];
  const validation: Conversation[] = [];
  for (const [index, conversation] of all.entries()) {
    const side =
      index < oasst && heldOut.has(treeKey(conversation.messages))
        ? 'validation'
        : splitOf(conversationKey(conversation), {
            validationFraction: preset.sft.validationFraction,
            salt: 'speedrun',
          });
    (side === 'train' ? train : validation).push(conversation);
  }
  return { train, validation, oasst, heldOutThreads, identity: preset.sft.identityConversations };
}

/** The base tokenizer with the chat markers added after its vocabulary (ids kept if reserved). */
export const chatTokenizerOf = (base: Tokenizer) => base.withSpecialTokens([...CHAT_MARKERS]);

/** Prompts for the reply check: a conversation's first user turn with the generation prompt. */
export function replyPrompts(
  conversations: Conversation[],
  tokenizer: Tokenizer,
  count: number,
  maxTokens: number,
) {
  const prompts: number[][] = [];
  for (const conversation of conversations) {
    if (prompts.length >= count) break;
    const messages = conversation.messages;
    const firstUser = messages.findIndex((m) => m.role === 'user');
    if (firstUser < 0) continue;
    const ids = render({ messages: messages.slice(0, firstUser + 1) }, tokenizer, {
      addGenerationPrompt: true,
    }).ids;
    if (ids.length <= maxTokens) prompts.push(ids);
  }
  return prompts;
}

export interface SftStats extends TrainStats {
  /** The final chat model, copied out of checkpoints/ (relative to the run folder). */
  chatModelDir: string;
  trainConversations: number;
  validationConversations: number;
  /** Conversations longer than the context kept as their first whole turns (train + validation). */
  truncatedTooLong: number;
  /** Of those, the ones whose first reply alone was too long, cut mid-reply. */
  cutReplies: number;
  /** Conversations left out: no room for a reply within the context. */
  skippedTooLong: number;
  oasstThreads: number;
  /** oasst1 threads of the trees held out for the preference evaluation (all on the validation side). */
  heldOutPreferenceThreads: number;
  identityConversations: number;
  /** Vocabulary of the base model and of the chat model (the chat markers added at SFT). */
  baseVocabSize: number;
  chatVocabSize: number;
}

export const sftStage: Stage<SpeedrunPreset, SftStats> = {
  name: 'sft',
  title: 'sft: fine-tune on oasst1 and identity conversations',
  params: (preset) => ({
    sft: preset.sft,
    eval: { maxNewTokens: preset.eval.maxNewTokens, replyPrompts: preset.eval.replyPrompts },
    heldOutPreferenceTrees: preset.preference.validationFraction,
    backend: preset.backend ?? 'auto',
  }),
  inputs: ({ statsOf, path }) => [
    path(statsOf(tokenizerStage).path),
    path(statsOf(pretrainStage).checkpoint),
    oasstPath(),
  ],
  outputs: (stats) => [stats.checkpoint, stats.chatModelDir, stats.metricsPath],
  writes: [CHAT_MODEL_DIR],
  async run(context) {
    const { dir, outDir, preset, statsOf, path } = context;
    await setBackend(preset.backend ?? 'auto');
    const baseTokenizer = await loadTokenizer(path(statsOf(tokenizerStage).path));
    const tokenizer = chatTokenizerOf(baseTokenizer);
    const base = await loadCheckpoint(path(statsOf(pretrainStage).checkpoint));
    const baseVocabSize = base.model.config.vocabSize;
    const s = preset.sft;
    const data = await chatConversations(preset);
    // Longer than the context: kept as their first whole turns (a first reply too long on its own
    // cut mid-reply) and counted; only those with no room for a reply are skipped.
    const train = renderForSft(data.train, tokenizer, { maxTokens: s.sequenceLength + 1 });
    const validation = renderForSft(data.validation, tokenizer, {
      maxTokens: s.sequenceLength + 1,
    });
    const examples = train.examples;
    const valExamples = validation.examples;
    const imEnd = tokenizer.specialTokenId('<|im_end|>')!;
    const result = await sft({
      model: base.model,
      examples,
      valExamples,
      vocabSize: tokenizer.vocabSize,
      outDir: dir,
      resume: resumeFlag(dir),
      tokenizerJson: tokenizer.toJSON(),
      replyEval: {
        prompts: replyPrompts(
          data.validation,
          tokenizer,
          preset.eval.replyPrompts,
          s.sequenceLength - preset.eval.maxNewTokens,
        ),
        stopTokenId: imEnd,
        maxNewTokens: preset.eval.maxNewTokens,
      },
      config: sftConfig(preset),
      log: () => {},
      onMetrics: progressReporter(context, s.maxSteps, s.maxMinutes),
    });
    base.model.dispose();
    const stats = trainStats(result, context.relative);
    publishModel(path(stats.checkpoint), join(outDir, CHAT_MODEL_DIR));
    return {
      ...stats,
      chatModelDir: CHAT_MODEL_DIR,
      trainConversations: examples.length,
      validationConversations: valExamples.length,
      truncatedTooLong: train.truncated + validation.truncated,
      cutReplies: train.cutReplies + validation.cutReplies,
      skippedTooLong: train.skipped + validation.skipped,
      oasstThreads: data.oasst,
      heldOutPreferenceThreads: data.heldOutThreads,
      identityConversations: data.identity,
      baseVocabSize,
      chatVocabSize: tokenizer.vocabSize,
    };
  },
  summarize: (s) =>
    `${s.steps} steps on ${s.trainConversations} conversations (longer than the context: ${s.truncatedTooLong} truncated at a turn boundary, ${s.skippedTooLong} skipped), vocabulary ${s.baseVocabSize} → ${s.chatVocabSize}, val loss ${s.lastValLoss?.toFixed(4)}`,
};
