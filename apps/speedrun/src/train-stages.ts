// Stages 5–6: pre-train a small GPT on the shards, then fine-tune it on conversations (oasst1
// threads plus synthetic identity conversations) into a chat model. Both resume from the
// trainer's checkpoints when a run was interrupted.
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadTokenizer, type Tokenizer } from '@lmkit/bpe';
import { ChatTemplateError, render } from '@lmkit/chat-template';
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
  type SftExample,
  sft,
  type TrainingResult,
} from '@lmkit/trainer';
import { shardsStage, tokenizerStage } from './data-stages.ts';
import { dataDir } from './paths.ts';
import { pretrainConfig, type SpeedrunPreset, sftConfig } from './presets.ts';
import { SpeedrunError, type Stage, type StageContext } from './runner.ts';

/** The chat model folder `pnpm chat` serves by default, inside the run's output folder. */
export const CHAT_MODEL_DIR = 'chat-model';

function progressReporter(
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
function resumeFlag(outDir: string): boolean {
  return listCheckpoints(join(outDir, 'checkpoints')).length > 0;
}

/** A training stage's stats: the trainer's result, with run-relative paths. */
export interface TrainStats extends Omit<TrainingResult, 'checkpoint' | 'metricsPath' | 'plots'> {
  /** The last checkpoint folder, relative to the run folder. */
  checkpoint: string;
  metricsPath: string;
  plots: { svg: string; png: string };
}

function trainStats(result: TrainingResult, relative: (path: string) => string): TrainStats {
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

/** The oasst1 sample that ships with the repository. */
export const oasstPath = () => join(dataDir, 'conversations/oasst1-en-100-trees.jsonl');

/** oasst1 threads (every root-to-leaf path) and identity conversations, split by hash. */
export async function chatConversations(preset: SpeedrunPreset) {
  const all: Conversation[] = [];
  for await (const conversation of readOasstTrees({
    path: oasstPath(),
    paths: 'all',
  })) {
    all.push(conversation);
  }
  const oasst = all.length;
  all.push(...identityConversations({ count: preset.sft.identityConversations, seed: 7 }));
  const train: Conversation[] = [];
  const validation: Conversation[] = [];
  for (const conversation of all) {
    const side = splitOf(conversationKey(conversation), {
      validationFraction: preset.sft.validationFraction,
      salt: 'speedrun',
    });
    (side === 'train' ? train : validation).push(conversation);
  }
  return { train, validation, oasst, identity: preset.sft.identityConversations };
}

/**
 * Renders conversations for training; those whose last turn alone exceeds the context are
 * skipped and counted (render drops whole turns from the front, but cannot cut a turn).
 */
function renderAll(conversations: Conversation[], tokenizer: Tokenizer, maxTokens: number) {
  const examples: SftExample[] = [];
  let tooLong = 0;
  for (const conversation of conversations) {
    try {
      examples.push(render(conversation, tokenizer, { maxTokens }));
    } catch (error) {
      if (!(error instanceof ChatTemplateError)) throw error;
      tooLong++;
    }
  }
  return { examples, tooLong };
}

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
  skippedTooLong: number;
  oasstThreads: number;
  identityConversations: number;
}

export const sftStage: Stage<SpeedrunPreset, SftStats> = {
  name: 'sft',
  title: 'sft: fine-tune on oasst1 and identity conversations',
  params: (preset) => ({
    sft: preset.sft,
    eval: preset.eval,
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
    const tokenizer = await loadTokenizer(path(statsOf(tokenizerStage).path));
    const base = await loadCheckpoint(path(statsOf(pretrainStage).checkpoint));
    const s = preset.sft;
    const data = await chatConversations(preset);
    const train = renderAll(data.train, tokenizer, s.sequenceLength + 1);
    const validation = renderAll(data.validation, tokenizer, s.sequenceLength + 1);
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
    const chatModelDir = join(outDir, CHAT_MODEL_DIR);
    rmSync(chatModelDir, { recursive: true, force: true });
    cpSync(path(stats.checkpoint), chatModelDir, { recursive: true });
    return {
      ...stats,
      chatModelDir: CHAT_MODEL_DIR,
      trainConversations: examples.length,
      validationConversations: valExamples.length,
      skippedTooLong: train.tooLong + validation.tooLong,
      oasstThreads: data.oasst,
      identityConversations: data.identity,
    };
  },
  summarize: (s) =>
    `${s.steps} steps on ${s.trainConversations} conversations (${s.skippedTooLong} longer than the context skipped), val loss ${s.lastValLoss?.toFixed(4)}`,
};
