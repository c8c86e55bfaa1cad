// `lmkit-train sample`: text from a checkpoint (verified against its manifest), plain or as a
// chat reply when the tokenizer has the chat markers.
import { tokenizerFromJSON } from '@lmkit/bpe';
import { IM_END, render } from '@lmkit/chat-template';
import { loadCheckpoint, TrainerConfigError } from '@lmkit/trainer';
import { numberFlag, type ParsedArgs, stringFlag } from './args.ts';
import { setUpBackend } from './setup.ts';

export const sampleHelp = `lmkit-train sample --checkpoint DIR [--prompt TEXT] [flags]

  --checkpoint DIR       checkpoint folder (manifest checked before loading)
  --prompt TEXT          text to continue (default a newline)
  --chat                 treat the prompt as a user message and stop at ${IM_END}
  --max-new-tokens N     default 200
  --temperature X        default 0.8 (0 = greedy)
  --top-k N              default 200
  --seed N               default 1
  --backend NAME, --native | --no-native`;

export async function sampleCommand(args: ParsedArgs): Promise<number> {
  const dir = stringFlag(args.flags, 'checkpoint');
  if (!dir) throw new TrainerConfigError('sample needs --checkpoint DIR');
  await setUpBackend({
    backend: stringFlag(args.flags, 'backend'),
    native: args.flags.get('native') as boolean | undefined,
  });
  const { model, tokenizerJson } = await loadCheckpoint(dir);
  if (!tokenizerJson)
    throw new TrainerConfigError(`${dir} has no tokenizer.json to encode the prompt with`);
  const tokenizer = tokenizerFromJSON(tokenizerJson);
  const text = stringFlag(args.flags, 'prompt') ?? '\n';
  const chat = args.flags.get('chat') === true;
  const prompt = chat
    ? render({ messages: [{ role: 'user', content: text }] }, tokenizer, {
        addGenerationPrompt: true,
      }).ids
    : tokenizer.encodeOrdinary(text);
  const stopId = chat ? tokenizer.specialTokenId(IM_END) : undefined;
  const out: number[] = [];
  for await (const id of model.generate(prompt, {
    maxNewTokens: numberFlag(args.flags, 'maxNewTokens') ?? 200,
    temperature: numberFlag(args.flags, 'temperature') ?? 0.8,
    topK: numberFlag(args.flags, 'topK') ?? 200,
    seed: numberFlag(args.flags, 'seed') ?? 1,
    stop: stopId === undefined ? undefined : [stopId],
  })) {
    if (id === stopId) break;
    out.push(id);
  }
  process.stdout.write(`${chat ? '' : text}${tokenizer.decode(out)}\n`);
  model.dispose();
  return 0;
}
