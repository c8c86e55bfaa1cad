// `lmkit-train sample`: text from a checkpoint (verified against its manifest), plain or as a
// chat reply when the tokenizer has the chat markers.
import { tokenizerFromJSON } from '@lmkit/bpe';
import { IM_END, render } from '@lmkit/chat-template';
import {
  flag,
  formatHelp,
  parseFlags,
  samplingFlags,
  samplingOptions,
  UsageError,
} from '@lmkit/cli-kit';
import { loadCheckpoint, TrainerConfigError } from '@lmkit/trainer';
import { backendFlags } from './args.ts';
import { setUpBackend } from './setup.ts';

const flags = {
  checkpoint: flag.string({
    description: 'checkpoint folder (manifest checked before loading)',
    placeholder: 'DIR',
  }),
  prompt: flag.string({ description: 'text to continue (default a newline)' }),
  chat: flag.boolean({ description: `treat the prompt as a user message and stop at ${IM_END}` }),
  ...samplingFlags({ temperature: 0.8, topK: 200, maxNewTokens: 200, seed: 1 }),
  ...backendFlags,
};

export const sampleHelp = formatHelp({
  usage: 'lmkit-train sample --checkpoint DIR [--prompt TEXT] [flags]',
  description: 'Generates text from a checkpoint: plain, or as a chat reply with --chat.',
  groups: [{ flags }],
});

export async function sampleCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(flags, argv);
  if (values.help) {
    console.log(sampleHelp);
    return 0;
  }
  const dir = values.checkpoint;
  if (!dir) throw new UsageError('sample needs --checkpoint DIR');
  await setUpBackend({ backend: values.backend, native: values.native });
  const { model, tokenizerJson } = await loadCheckpoint(dir);
  if (!tokenizerJson)
    throw new TrainerConfigError(`${dir} has no tokenizer.json to encode the prompt with`);
  const tokenizer = tokenizerFromJSON(tokenizerJson);
  const text = values.prompt ?? '\n';
  const chat = values.chat === true;
  const prompt = chat
    ? render({ messages: [{ role: 'user', content: text }] }, tokenizer, {
        addGenerationPrompt: true,
      }).ids
    : tokenizer.encodeOrdinary(text);
  const stopId = chat ? tokenizer.specialTokenId(IM_END) : undefined;
  const out: number[] = [];
  for await (const id of model.generate(prompt, {
    ...samplingOptions(values),
    stop: stopId === undefined ? undefined : [stopId],
  })) {
    if (id === stopId) break;
    out.push(id);
  }
  process.stdout.write(`${chat ? '' : text}${tokenizer.decode(out)}\n`);
  model.dispose();
  return 0;
}
