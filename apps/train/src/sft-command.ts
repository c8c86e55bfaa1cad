// `lmkit-train sft`: loads a base checkpoint, adds the chat markers to its tokenizer, renders the
// conversations with @lmkit/chat-template, and runs @lmkit/trainer's sft on them.
import { join } from 'node:path';
import { type TokenizerJSON, tokenizerFromJSON } from '@lmkit/bpe';
import {
  CHAT_MARKERS,
  ContextOverflowError,
  type Conversation,
  IM_END,
  planChatMarkers,
  render,
  renderForSft,
} from '@lmkit/chat-template';
import { formatHelp, parseFlags, UsageError } from '@lmkit/cli-kit';
import { conversationKey, readChatJsonl, readOasstTrees, splitOf } from '@lmkit/datasets';
import { loadCheckpoint, sft, sftDefaultConfig, TrainerConfigError } from '@lmkit/trainer';
import { backendFlags, trainingFlags } from './args.ts';
import { trainingProgress } from './progress.ts';
import { checkRunPaths, checkTraining, configFlag, loadRunConfig, runFlags } from './run-config.ts';
import { checkResumeSpelling, reportRun, resumeFlags, runListeners } from './run-output.ts';
import { setUpBackend } from './setup.ts';
import { withSignals } from './signals.ts';

const pretrainOnly = new Set([
  'text',
  'train',
  'val',
  'model',
  'model-seed',
  'tokenizer',
  'sample-prompt',
]);
const sftRunFlags = Object.fromEntries(
  Object.entries(runFlags).filter(([name]) => !pretrainOnly.has(name)),
);
const flags = { ...configFlag, ...sftRunFlags, ...resumeFlags, ...backendFlags, ...trainingFlags };

export const sftHelp = formatHelp({
  usage: 'lmkit-train sft --base CHECKPOINT --conversations FILE [flags]',
  description: `Fine-tunes a base checkpoint on conversations (loss on assistant tokens only). The base
tokenizer gains the chat markers (${CHAT_MARKERS.join(' ')}) and the model's embedding grows to match.
SFT defaults: cosine from 1e-4 to 0, weight decay 0, T 256 (capped at the block size), evaluation
every 50 steps, 2 epochs when no budget is given. A conversation longer than T+1 tokens keeps its
first whole turns up to the last reply that fits (a first reply too long to fit is cut mid-reply);
only one with no room for a reply is skipped.`,
  groups: [
    {
      title: 'data and run folder',
      flags: { ...configFlag, ...sftRunFlags, ...resumeFlags, ...backendFlags },
    },
    { title: 'training', flags: trainingFlags },
  ],
});

export async function sftCommand(argv: string[]): Promise<number> {
  checkResumeSpelling(argv);
  const { values } = parseFlags(flags, argv);
  if (values.help) {
    console.log(sftHelp);
    return 0;
  }
  const run = loadRunConfig(values);
  if (!run.base) throw new UsageError('sft needs --base CHECKPOINT (a pretrain checkpoint folder)');
  if (!run.conversations) throw new UsageError('sft needs --conversations FILE');
  checkRunPaths(run);
  checkTraining(run, sftDefaultConfig, { budgetOptional: true });
  const outDir = run.outDir ?? join(process.cwd(), 'runs/train/sft');
  const progress = trainingProgress();
  progress.log(await setUpBackend(run));
  const base = await loadCheckpoint(run.base);
  if (!base.tokenizerJson) {
    throw new TrainerConfigError(
      `${run.base} has no tokenizer.json; SFT needs the base tokenizer to add the chat markers`,
    );
  }
  const baseJson = base.tokenizerJson as TokenizerJSON;
  const plan = planChatMarkers({ tokenizer: tokenizerFromJSON(baseJson) });
  const chatJson: TokenizerJSON = {
    ...baseJson,
    specialTokens: { ...baseJson.specialTokens, ...plan.added },
  };
  const tokenizer = tokenizerFromJSON(chatJson);
  const format =
    run.conversationFormat ?? (run.conversations.includes('oasst') ? 'oasst-trees' : 'chat-jsonl');
  const source =
    format === 'oasst-trees'
      ? readOasstTrees({ path: run.conversations })
      : readChatJsonl({ path: run.conversations });
  const train: Conversation[] = [];
  const validation: Conversation[] = [];
  for await (const conversation of source) {
    const split = splitOf(conversationKey(conversation), {
      validationFraction: run.valFraction ?? 0.1,
    });
    (split === 'train' ? train : validation).push(conversation);
  }
  const sequenceLength = run.training?.sequenceLength ?? Math.min(256, base.model.config.blockSize);
  const promptBudget = Math.floor(sequenceLength / 2);
  const prompts = validation
    .flatMap((conversation) => {
      const firstReply = conversation.messages.findIndex((m) => m.role === 'assistant');
      const head = { messages: conversation.messages.slice(0, Math.max(1, firstReply)) };
      try {
        return [
          render(head, tokenizer, { addGenerationPrompt: true, maxTokens: promptBudget }).ids,
        ];
      } catch (error) {
        if (error instanceof ContextOverflowError) return [];
        throw error;
      }
    })
    .slice(0, run.replyPrompts ?? 8);
  const trainSet = renderForSft(train, tokenizer, { maxTokens: sequenceLength + 1 });
  const valSet = renderForSft(validation, tokenizer, { maxTokens: sequenceLength + 1 });
  const examples = trainSet.examples;
  if (examples.length === 0) {
    throw new TrainerConfigError(
      `none of the ${train.length} training conversations fits in ${sequenceLength + 1} tokens (in each, the messages before the first reply are longer); give --sequence-length up to the base model's block size ${base.model.config.blockSize}, or pretrain a base with a larger block (e.g. --model cpu-small or cpu-medium)`,
    );
  }
  progress.log(
    `conversations: ${train.length} train / ${validation.length} validation (${format}); longer than ${sequenceLength + 1} tokens: ${trainSet.truncated + valSet.truncated} truncated at a turn boundary (${trainSet.cutReplies + valSet.cutReplies} with the first reply cut mid-reply), ${trainSet.skipped + valSet.skipped} skipped (no room for a reply); ${prompts.length} reply prompts`,
  );
  const result = await withSignals((signal) =>
    sft({
      model: base.model,
      examples,
      valExamples: valSet.examples,
      vocabSize: plan.vocabSize,
      packing: run.packing,
      epochs: run.epochs,
      config: { ...run.training, sequenceLength },
      replyEval: {
        prompts,
        stopTokenId: plan.ids[IM_END],
        maxNewTokens: promptBudget,
      },
      outDir,
      tokenizerJson: chatJson,
      signal,
      ...runListeners(values, progress),
    }),
  );
  const code = reportRun(progress, result, { plots: true });
  base.model.dispose();
  return code;
}
