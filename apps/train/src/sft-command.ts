// `lmkit-train sft`: loads a base checkpoint, adds the chat markers to its tokenizer, renders the
// conversations with @lmkit/chat-template, and runs @lmkit/trainer's sft on them.
import { join } from 'node:path';
import { type TokenizerJSON, tokenizerFromJSON } from '@lmkit/bpe';
import {
  CHAT_MARKERS,
  type Conversation,
  IM_END,
  planChatMarkers,
  render,
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
every 50 steps, 2 epochs when no budget is given.`,
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
  let skipped = 0;
  /** Renders what fits; a conversation whose last turn alone exceeds the budget is skipped. */
  const tryRender = (conversation: Conversation, options: Parameters<typeof render>[2]) => {
    try {
      return render(conversation, tokenizer, options);
    } catch (error) {
      if ((error as Error).name !== 'ChatTemplateError') throw error;
      skipped++;
      return undefined;
    }
  };
  const renderAll = (list: Conversation[]) =>
    list.flatMap((c) => tryRender(c, { maxTokens: sequenceLength + 1 }) ?? []);
  const promptBudget = Math.floor(sequenceLength / 2);
  const prompts = validation
    .map((conversation) => {
      const firstReply = conversation.messages.findIndex((m) => m.role === 'assistant');
      const head = { messages: conversation.messages.slice(0, Math.max(1, firstReply)) };
      return tryRender(head, { addGenerationPrompt: true, maxTokens: promptBudget })?.ids;
    })
    .filter((ids): ids is number[] => ids !== undefined)
    .slice(0, run.replyPrompts ?? 8);
  const examples = renderAll(train);
  const valExamples = renderAll(validation);
  if (examples.length === 0) {
    throw new TrainerConfigError(
      `none of the ${train.length} training conversations fits in ${sequenceLength + 1} tokens (each one's last turn is longer); give --sequence-length up to the base model's block size ${base.model.config.blockSize}, or pretrain a base with a larger block (e.g. --model cpu-small or cpu-medium)`,
    );
  }
  progress.log(
    `conversations: ${train.length} train / ${validation.length} validation (${format}); ${skipped} renderings skipped (a turn longer than the context); ${prompts.length} reply prompts`,
  );
  const result = await withSignals((signal) =>
    sft({
      model: base.model,
      examples,
      valExamples,
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
