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
} from '@lmkit/trainer';
import { dataDir } from './paths.ts';
import type { SpeedrunPreset } from './presets.ts';
import type { Stage, StageContext } from './runner.ts';

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
      Math.round(fraction * 1000),
      1000,
      `step ${record.step} · loss ${record.loss.toFixed(3)} · ${Math.round(record.tokensPerSecond)} tok/s`,
    );
  };
}

/** Resume when an interrupted run left a checkpoint in this stage's folder. */
function resumeFlag(outDir: string): boolean {
  return listCheckpoints(join(outDir, 'checkpoints')).length > 0;
}

export const pretrainStage: Stage<SpeedrunPreset> = {
  name: 'pretrain',
  title: 'pretrain: a small GPT on the token shards',
  async run(context) {
    const { dir, preset, statsOf } = context;
    const backend = await setBackend(preset.backend ?? 'auto');
    const tokenizerPath = statsOf('tokenizer').path as string;
    const tokenizer = await loadTokenizer(tokenizerPath);
    const shards = statsOf('shards');
    const model = new GPT(
      { vocabSize: tokenizer.vocabSize, bias: true, ...preset.model },
      { seed: 1337 },
    );
    const p = preset.pretrain;
    const result = await pretrain({
      model,
      trainFiles: shards.train as string[],
      valFiles: shards.val as string[],
      outDir: dir,
      resume: resumeFlag(dir),
      tokenizer,
      tokenizerJson: tokenizer.toJSON(),
      config: {
        batchSize: p.batchSize,
        sequenceLength: p.sequenceLength,
        maxSteps: p.maxSteps,
        maxMinutes: p.maxMinutes,
        evalEvery: p.evalEvery,
        evalBatches: p.evalBatches,
        checkpointEvery: p.evalEvery,
        schedule: {
          kind: 'cosine',
          maxLearningRate: p.learningRate,
          minLearningRate: p.learningRate / 10,
          warmupSteps: p.warmupSteps,
          decaySteps: p.maxSteps,
        },
      },
      log: () => {},
      onMetrics: progressReporter(context, p.maxSteps, p.maxMinutes),
    });
    model.dispose();
    return { backend, ...result };
  },
  summarize: (s) =>
    `${s.steps} steps, ${s.tokensSeen} tokens, val loss ${(s.lastValLoss as number | undefined)?.toFixed(4)}`,
};

/** oasst1 threads (every root-to-leaf path) and identity conversations, split by hash. */
export async function chatConversations(preset: SpeedrunPreset) {
  const all: Conversation[] = [];
  for await (const conversation of readOasstTrees({
    path: join(dataDir, 'conversations/oasst1-en-100-trees.jsonl'),
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

export const sftStage: Stage<SpeedrunPreset> = {
  name: 'sft',
  title: 'sft: fine-tune on oasst1 and identity conversations',
  async run(context) {
    const { dir, outDir, preset, statsOf } = context;
    await setBackend(preset.backend ?? 'auto');
    const tokenizer = await loadTokenizer(statsOf('tokenizer').path as string);
    const base = await loadCheckpoint(statsOf('pretrain').checkpoint as string);
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
      config: {
        batchSize: s.batchSize,
        sequenceLength: s.sequenceLength,
        maxSteps: s.maxSteps,
        maxMinutes: s.maxMinutes,
        evalEvery: s.evalEvery,
        evalBatches: 4,
        checkpointEvery: s.evalEvery,
        schedule: {
          kind: 'cosine',
          maxLearningRate: s.learningRate,
          minLearningRate: 0,
          warmupSteps: Math.max(1, Math.round(s.maxSteps / 20)),
          decaySteps: s.maxSteps,
        },
      },
      log: () => {},
      onMetrics: progressReporter(context, s.maxSteps, s.maxMinutes),
    });
    base.model.dispose();
    const chatModelDir = join(outDir, CHAT_MODEL_DIR);
    rmSync(chatModelDir, { recursive: true, force: true });
    cpSync(result.checkpoint!, chatModelDir, { recursive: true });
    return {
      ...result,
      chatModelDir,
      trainConversations: examples.length,
      validationConversations: valExamples.length,
      skippedTooLong: train.tooLong + validation.tooLong,
      oasstThreads: data.oasst,
      identityConversations: data.identity,
    };
  },
  summarize: (s) =>
    `${s.steps} steps on ${s.trainConversations} conversations (${s.skippedTooLong} longer than the context skipped), val loss ${(s.lastValLoss as number | undefined)?.toFixed(4)}`,
};
