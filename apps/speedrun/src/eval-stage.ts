// Stage 8: what each training phase bought, per model (untrained, base, SFT, aligned), each score
// beside its chance level, all on text and pairs no stage trained on (held-out.ts,
// preference-data.ts): bits per byte on held-out web text and Tiny Shakespeare, a cloze task on
// each (the true next line or sentence among four), preference accuracy on the held-out oasst1
// trees' pairs, and the reward model's win rate of the aligned model's replies over the SFT
// model's. Also samples for fixed prompts and the share of chat replies that end with <|im_end|>.
import { loadTokenizer, tokenizerFromJSON } from '@lmkit/bpe';
import { render } from '@lmkit/chat-template';
import type { Message } from '@lmkit/core';
import {
  type ClozeOptions,
  clozeTask,
  EvalsError,
  evaluateBitsPerByte,
  evaluateMultipleChoice,
  evaluatePreferenceAccuracy,
  evaluateWinRate,
  gptScorer,
  implicitReward,
  type MultipleChoiceItem,
  replyLogProb,
  rewardModelScore,
} from '@lmkit/evals';
import { GPT, setBackend } from '@lmkit/gpt-model';
import { loadCheckpoint, loadRewardModel } from '@lmkit/trainer';
import { filterStage, tokenizerStage } from './data-stages.ts';
import { HELD_OUT, shakespearePath, shakespeareSplit, webSplit } from './held-out.ts';
import { oasstPath } from './paths.ts';
import { generationPrompts, preferenceSplit, wholePairs } from './preference-data.ts';
import { preferenceStage } from './preference-stage.ts';
import type { SpeedrunPreset } from './presets.ts';
import type { Stage } from './runner.ts';
import { chatConversations, pretrainStage, replyPrompts, sftStage } from './train-stages.ts';

export const BASE_PROMPTS = ['ROMEO:', 'The history of the', 'First Citizen:\nWe are'];
export const CHAT_PROMPTS = [
  'What is your name?',
  'Who made you?',
  'What is the capital of France?',
  'Give me three tips for learning to cook.',
];

export const MODELS = ['untrained', 'base', 'sft', 'aligned'] as const;
export type ModelName = (typeof MODELS)[number];

/** A score beside what a random guess (or a uniform model) gets on the same items. */
export interface Score {
  value: number;
  chance: number;
  /** Items, pairs or prompts scored (bits per byte: bytes). */
  count: number;
}

export interface ModelScores {
  /** Undefined when no web document was held out (a tiny crawl). */
  webBitsPerByte?: Score;
  shakespeareBitsPerByte: Score;
  clozeShakespeare?: Score;
  clozeWeb?: Score;
  /** Chat models: share of held-out pairs where ln p(chosen reply) > ln p(rejected reply). */
  preferenceLogProb?: Score;
  /** DPO's implicit reward β·(ln π − ln π_ref) with the SFT model as the reference. */
  preferenceImplicitReward?: Score;
  /** The reward model's win rate of this model's replies over the SFT model's. */
  winRateOverSft?: Score;
}

export interface EvalStats {
  models: Record<ModelName, ModelScores>;
  /** The reward model's accuracy on the held-out pairs (its reward of chosen > rejected). */
  rewardModel: { preferenceAccuracy: Score };
  beta: number;
  heldOut: {
    webDocuments: number;
    webBytes: number;
    shakespeareBytes: number;
    clozeShakespeareItems: number;
    clozeWebItems: number;
    preferencePairs: number;
    winRatePrompts: number;
  };
  baseSamples: { prompt: string; completion: string }[];
  chatSamples: { prompt: string; completion: string; endedWithImEnd: boolean }[];
  alignedSamples: { prompt: string; completion: string; endedWithImEnd: boolean }[];
  replies: number;
  repliesEndingWithImEnd: number;
  replyStopShare: number;
}

async function complete(
  model: GPT,
  prompt: number[],
  options: { maxNewTokens: number; stop?: number },
) {
  const ids: number[] = [];
  let ended = false;
  for await (const id of model.generate(prompt, {
    maxNewTokens: options.maxNewTokens,
    temperature: 0.8,
    topK: 40,
    seed: 1,
  })) {
    if (id === options.stop) {
      ended = true;
      break;
    }
    ids.push(id);
  }
  return { ids, ended };
}

/**
 * Cloze items from a held-out text: `count` of them, or as many as the text gives (halving the
 * count until it does); none when it gives fewer than 4.
 */
function clozeItems(options: ClozeOptions & { count: number }): MultipleChoiceItem[] {
  for (let count = options.count; count >= 4; count = Math.floor(count / 2)) {
    try {
      return clozeTask({ ...options, count });
    } catch (error) {
      if (!(error instanceof EvalsError)) throw error;
    }
  }
  return [];
}

export const evalStage: Stage<SpeedrunPreset, EvalStats> = {
  name: 'eval',
  title: 'eval: every model beside chance on held-out text and pairs',
  params: (preset) => ({
    eval: preset.eval,
    heldOut: HELD_OUT,
    heldOutPreferenceTrees: preset.preference.validationFraction,
    beta: preset.preference.dpo.beta,
    sft: preset.sft,
    backend: preset.backend ?? 'auto',
    prompts: { base: BASE_PROMPTS, chat: CHAT_PROMPTS },
  }),
  inputs: ({ statsOf, path }) => [
    path(statsOf(tokenizerStage).path),
    ...statsOf(filterStage).files.map(path),
    shakespearePath(),
    path(statsOf(pretrainStage).checkpoint),
    path(statsOf(sftStage).chatModelDir),
    path(statsOf(preferenceStage).alignedModelDir),
    path(statsOf(preferenceStage).reward.checkpoint),
    oasstPath(),
  ],
  async run({ preset, progress, statsOf, path }) {
    await setBackend(preset.backend ?? 'auto');
    const baseTokenizer = await loadTokenizer(path(statsOf(tokenizerStage).path));
    const dirs = {
      base: path(statsOf(pretrainStage).checkpoint),
      sft: path(statsOf(sftStage).chatModelDir),
      aligned: path(statsOf(preferenceStage).alignedModelDir),
    };
    const chatCheckpoint = await loadCheckpoint(dirs.sft);
    const chatTokenizer = tokenizerFromJSON(chatCheckpoint.tokenizerJson);
    chatCheckpoint.model.dispose();
    const tokenizerOf = (name: ModelName) =>
      name === 'sft' || name === 'aligned' ? chatTokenizer : baseTokenizer;
    const open = async (name: ModelName) => {
      if (name !== 'untrained') return (await loadCheckpoint(dirs[name])).model;
      // The untrained model: the base model's config, initialised as pre-training began.
      const base = (await loadCheckpoint(dirs.base)).model;
      const config = base.config;
      base.dispose();
      return new GPT(config, { seed: 1337 });
    };

    // Held-out text and pairs.
    const shakespeare = shakespeareSplit().heldOut;
    const webDocuments = (await webSplit(statsOf(filterStage).files.map(path))).heldOut;
    const web = webDocuments.join('\n\n');
    const n = preset.eval.clozeItems;
    const cloze = {
      shakespeare: clozeItems({ text: shakespeare, count: n, seed: 1 }),
      web: clozeItems({ text: web, unit: 'sentence', count: n, seed: 1 }),
    };
    const blockSize = preset.model.blockSize;
    const split = await preferenceSplit(preset);
    const pairs = wholePairs(split.validation, chatTokenizer, blockSize).kept;
    const maxNewTokens = preset.eval.maxNewTokens;
    const winPrompts = generationPrompts(
      split.validation,
      chatTokenizer,
      preset.eval.replyPrompts,
      blockSize - maxNewTokens - 4,
    );

    const steps = MODELS.length + 4 + BASE_PROMPTS.length + 2 * CHAT_PROMPTS.length;
    let stepsDone = 0;
    const tick = (detail: string) => progress.update(++stepsDone, steps, detail);
    const models = {} as Record<ModelName, ModelScores>;
    const kept: Partial<Record<ModelName, GPT>> = {};
    for (const name of MODELS) {
      const model = await open(name);
      const tokenizer = tokenizerOf(name);
      const scorer = gptScorer(model);
      const bpb = async (text: string): Promise<Score> => {
        const result = await evaluateBitsPerByte({ scorer, tokenizer, text });
        return { value: result.bitsPerByte, chance: result.chance, count: result.bytes };
      };
      const choice = async (items: MultipleChoiceItem[]): Promise<Score | undefined> => {
        if (items.length === 0) return undefined;
        const result = await evaluateMultipleChoice({ scorer, tokenizer, items });
        return { value: result.accuracy, chance: result.chance, count: result.count };
      };
      const scores: ModelScores = {
        webBitsPerByte: web ? await bpb(web) : undefined,
        shakespeareBitsPerByte: await bpb(shakespeare),
        clozeShakespeare: await choice(cloze.shakespeare),
        clozeWeb: await choice(cloze.web),
      };
      if (tokenizer === chatTokenizer && pairs.length > 0) {
        const result = await evaluatePreferenceAccuracy({
          pairs,
          score: (prompt, reply) => replyLogProb({ scorer, tokenizer, prompt, reply }),
        });
        scores.preferenceLogProb = { value: result.accuracy, chance: 0.5, count: result.count };
      }
      models[name] = scores;
      if (name === 'sft' || name === 'aligned') kept[name] = model;
      else model.dispose();
      tick(`scores of the ${name} model`);
    }
    const sft = kept.sft!;
    const aligned = kept.aligned!;
    const beta = preset.preference.dpo.beta;
    if (pairs.length > 0) {
      // The SFT model is its own reference: every implicit reward is 0, every pair a tie.
      models.sft.preferenceImplicitReward = { value: 0.5, chance: 0.5, count: pairs.length };
      const result = await evaluatePreferenceAccuracy({
        pairs,
        score: implicitReward({
          policy: gptScorer(aligned),
          reference: gptScorer(sft),
          tokenizer: chatTokenizer,
          beta,
        }),
      });
      models.aligned.preferenceImplicitReward = {
        value: result.accuracy,
        chance: 0.5,
        count: result.count,
      };
    }
    tick('implicit reward of the aligned model');

    const rewardModel = await loadRewardModel(path(statsOf(preferenceStage).reward.checkpoint));
    const byReward = rewardModelScore({ model: rewardModel, tokenizer: chatTokenizer });
    const rewardAccuracy =
      pairs.length > 0 ? await evaluatePreferenceAccuracy({ pairs, score: byReward }) : undefined;
    tick('reward model on held-out pairs');

    const imEnd = chatTokenizer.specialTokenId('<|im_end|>')!;
    const replyOf = async (model: GPT, prompt: number[]): Promise<Message[]> => [
      {
        role: 'assistant',
        content: chatTokenizer.decode((await complete(model, prompt, { maxNewTokens })).ids),
      },
    ];
    const sftReplies: Message[][] = [];
    const alignedReplies: Message[][] = [];
    for (const prompt of winPrompts) {
      sftReplies.push(await replyOf(sft, prompt.ids));
      alignedReplies.push(await replyOf(aligned, prompt.ids));
    }
    if (winPrompts.length > 0) {
      const win = await evaluateWinRate({
        prompts: winPrompts.map((p) => p.messages),
        repliesA: alignedReplies,
        repliesB: sftReplies,
        score: byReward,
      });
      models.aligned.winRateOverSft = { value: win.winRate, chance: 0.5, count: win.count };
    }
    rewardModel.dispose();
    tick('win rate of the aligned model over the SFT model');

    const base = await open('base');
    const baseSamples = [];
    for (const prompt of BASE_PROMPTS) {
      const { ids } = await complete(base, baseTokenizer.encodeOrdinary(prompt), { maxNewTokens });
      baseSamples.push({ prompt, completion: baseTokenizer.decode(ids) });
      tick('base samples');
    }
    base.dispose();
    const chatSamplesOf = async (model: GPT) => {
      const samples = [];
      for (const question of CHAT_PROMPTS) {
        const prompt = render({ messages: [{ role: 'user', content: question }] }, chatTokenizer, {
          addGenerationPrompt: true,
        }).ids;
        const { ids, ended } = await complete(model, prompt, { maxNewTokens, stop: imEnd });
        samples.push({
          prompt: question,
          completion: chatTokenizer.decode(ids),
          endedWithImEnd: ended,
        });
        tick('chat samples');
      }
      return samples;
    };
    const chatSamples = await chatSamplesOf(sft);
    const alignedSamples = await chatSamplesOf(aligned);
    const { validation } = await chatConversations(preset);
    const prompts = replyPrompts(
      validation,
      chatTokenizer,
      preset.eval.replyPrompts,
      blockSize - maxNewTokens,
    );
    let ended = 0;
    for (const prompt of prompts) {
      if ((await complete(sft, prompt, { maxNewTokens, stop: imEnd })).ended) ended++;
    }
    tick('held-out replies');
    sft.dispose();
    aligned.dispose();
    return {
      models,
      rewardModel: {
        preferenceAccuracy: {
          value: rewardAccuracy?.accuracy ?? Number.NaN,
          chance: 0.5,
          count: rewardAccuracy?.count ?? 0,
        },
      },
      beta,
      heldOut: {
        webDocuments: webDocuments.length,
        webBytes: Buffer.byteLength(web),
        shakespeareBytes: Buffer.byteLength(shakespeare),
        clozeShakespeareItems: cloze.shakespeare.length,
        clozeWebItems: cloze.web.length,
        preferencePairs: pairs.length,
        winRatePrompts: winPrompts.length,
      },
      baseSamples,
      chatSamples,
      alignedSamples,
      replies: prompts.length,
      repliesEndingWithImEnd: ended,
      replyStopShare: prompts.length ? ended / prompts.length : 0,
    };
  },
  summarize: (s) => {
    const m = s.models;
    const f = (score: Score | undefined) => (score ? score.value.toFixed(3) : '—');
    return `web bits/byte ${f(m.untrained.webBitsPerByte)} → base ${f(m.base.webBitsPerByte)} → sft ${f(m.sft.webBitsPerByte)} → aligned ${f(m.aligned.webBitsPerByte)}; held-out preference (log-prob) sft ${f(m.sft.preferenceLogProb)} → aligned ${f(m.aligned.preferenceLogProb)}, implicit reward ${f(m.aligned.preferenceImplicitReward)}; win rate over sft ${f(m.aligned.winRateOverSft)}`;
  },
};
