// Stage 7: how much the two training phases bought. Validation bits per byte of the untrained,
// the base and the chat model; samples from the base and the chat model for fixed prompts; the
// share of chat replies that end with <|im_end|> within the token budget.
import { loadTokenizer, type Tokenizer } from '@lmkit/bpe';
import { render } from '@lmkit/chat-template';
import { readShard } from '@lmkit/datasets';
import { GPT, setBackend } from '@lmkit/gpt-model';
import { bitsPerByte, loadCheckpoint } from '@lmkit/trainer';
import { shardsStage, tokenizerStage } from './data-stages.ts';
import type { SpeedrunPreset } from './presets.ts';
import type { Stage } from './runner.ts';
import {
  chatConversations,
  oasstPath,
  pretrainStage,
  replyPrompts,
  sftStage,
} from './train-stages.ts';

export const BASE_PROMPTS = ['ROMEO:', 'The history of the', 'First Citizen:\nWe are'];
export const CHAT_PROMPTS = [
  'What is your name?',
  'Who made you?',
  'What is the capital of France?',
  'Give me three tips for learning to cook.',
];

/** Mean validation loss and bits per byte over the first `windows` windows of a shard. */
async function validationBitsPerByte(options: {
  model: GPT;
  tokenizer: Tokenizer;
  shard: string;
  sequenceLength: number;
  windows: number;
}) {
  const { tokens } = await readShard(options.shard);
  const T = options.sequenceLength;
  let lossSum = 0;
  let count = 0;
  let bytes = 0;
  for (let w = 0; w < options.windows && (w + 1) * T + 1 <= tokens.length; w++) {
    const row = Array.from(tokens.subarray(w * T, w * T + T + 1));
    const loss = options.model.loss([row.slice(0, T)], [row.slice(1)]);
    lossSum += (await loss.data())[0];
    loss.dispose();
    count += 1;
    bytes += options.tokenizer.decodeBytes(row.slice(1)).length;
  }
  const lossNats = lossSum / count;
  return { lossNats, bitsPerByte: bitsPerByte({ lossNats, tokens: count * T, bytes }) };
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

export interface EvalStats {
  bitsPerByte: Record<'untrained' | 'base' | 'chat', { lossNats: number; bitsPerByte: number }>;
  baseSamples: { prompt: string; completion: string }[];
  chatSamples: { prompt: string; completion: string; endedWithImEnd: boolean }[];
  replies: number;
  repliesEndingWithImEnd: number;
  replyStopShare: number;
}

export const evalStage: Stage<SpeedrunPreset, EvalStats> = {
  name: 'eval',
  title: 'eval: bits per byte, samples, replies that end',
  params: (preset) => ({
    eval: preset.eval,
    sequenceLength: preset.pretrain.sequenceLength,
    sft: preset.sft,
    backend: preset.backend ?? 'auto',
    prompts: { base: BASE_PROMPTS, chat: CHAT_PROMPTS },
  }),
  inputs: ({ statsOf, path }) => [
    path(statsOf(tokenizerStage).path),
    path(statsOf(shardsStage).val[0]),
    path(statsOf(pretrainStage).checkpoint),
    path(statsOf(sftStage).chatModelDir),
    oasstPath(),
  ],
  async run({ preset, progress, statsOf, path }) {
    await setBackend(preset.backend ?? 'auto');
    const tokenizer = await loadTokenizer(path(statsOf(tokenizerStage).path));
    const shard = path(statsOf(shardsStage).val[0]);
    const checkpoints = {
      base: path(statsOf(pretrainStage).checkpoint),
      chat: path(statsOf(sftStage).chatModelDir),
    };
    // One model in memory at a time: the untrained one (same seed as pre-training), base, chat.
    const open = async (name: 'untrained' | 'base' | 'chat') => {
      if (name !== 'untrained') return (await loadCheckpoint(checkpoints[name])).model;
      const base = (await loadCheckpoint(checkpoints.base)).model;
      const config = base.config;
      base.dispose();
      return new GPT(config, { seed: 1337 });
    };
    const steps = 3 + BASE_PROMPTS.length + CHAT_PROMPTS.length + preset.eval.replyPrompts;
    let stepsDone = 0;
    const tick = (detail: string) => progress.update(++stepsDone, steps, detail);
    const windows = 16;
    const bpb = {} as EvalStats['bitsPerByte'];
    for (const name of ['untrained', 'base', 'chat'] as const) {
      const model = await open(name);
      const T = Math.min(preset.pretrain.sequenceLength, model.config.blockSize);
      bpb[name] = await validationBitsPerByte({
        model,
        tokenizer,
        shard,
        sequenceLength: T,
        windows,
      });
      model.dispose();
      tick(`bits per byte of the ${name} model`);
    }
    const imEnd = tokenizer.specialTokenId('<|im_end|>')!;
    const maxNewTokens = preset.eval.maxNewTokens;
    const base = await open('base');
    const baseSamples = [];
    for (const prompt of BASE_PROMPTS) {
      const { ids } = await complete(base, tokenizer.encodeOrdinary(prompt), { maxNewTokens });
      baseSamples.push({ prompt, completion: tokenizer.decode(ids) });
      tick('base samples');
    }
    base.dispose();
    const chat = await open('chat');
    const chatSamples = [];
    for (const question of CHAT_PROMPTS) {
      const prompt = render({ messages: [{ role: 'user', content: question }] }, tokenizer, {
        addGenerationPrompt: true,
      }).ids;
      const { ids, ended } = await complete(chat, prompt, { maxNewTokens, stop: imEnd });
      chatSamples.push({
        prompt: question,
        completion: tokenizer.decode(ids),
        endedWithImEnd: ended,
      });
      tick('chat samples');
    }
    const { validation } = await chatConversations(preset);
    const prompts = replyPrompts(
      validation,
      tokenizer,
      preset.eval.replyPrompts,
      chat.config.blockSize - maxNewTokens,
    );
    let ended = 0;
    for (const prompt of prompts) {
      if ((await complete(chat, prompt, { maxNewTokens, stop: imEnd })).ended) ended++;
      tick('held-out replies');
    }
    chat.dispose();
    return {
      bitsPerByte: bpb,
      baseSamples,
      chatSamples,
      replies: prompts.length,
      repliesEndingWithImEnd: ended,
      replyStopShare: prompts.length ? ended / prompts.length : 0,
    };
  },
  summarize: (s) => {
    const bpb = s.bitsPerByte;
    return `bits/byte ${bpb.untrained.bitsPerByte.toFixed(3)} → base ${bpb.base.bitsPerByte.toFixed(3)} → chat ${bpb.chat.bitsPerByte.toFixed(3)}; ${(s.replyStopShare * 100).toFixed(0)}% of replies end with <|im_end|>`;
  },
};
