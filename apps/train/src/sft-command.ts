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
import { conversationKey, readChatJsonl, readOasstTrees, splitOf } from '@lmkit/datasets';
import { createProgress, loadCheckpoint, sft, TrainerConfigError } from '@lmkit/trainer';
import type { ParsedArgs } from './args.ts';
import { loadRunConfig } from './run-config.ts';
import { setUpBackend } from './setup.ts';
import { withSignals } from './signals.ts';

export const sftHelp = `lmkit-train sft --base CHECKPOINT --conversations FILE [flags]

Fine-tunes a base checkpoint on conversations (loss on assistant tokens only). The base
tokenizer gains the chat markers (${CHAT_MARKERS.join(' ')}) and the model's embedding grows to match.

  --config FILE            JSON run config ("base", "conversations", "training", ...)
  --base DIR               base checkpoint folder (from lmkit-train pretrain)
  --conversations FILE     oasst1 trees JSONL, or chat JSONL ({"messages": [...]} per line)
  --conversation-format F  oasst-trees | chat-jsonl (default: oasst-trees when the name has "oasst")
  --val-fraction X         held-out share of conversations (default 0.1, by hash of the conversation)
  --packing pad|pack       one conversation per row (default) or packed rows
  --epochs N               passes over the data when no step budget is given (default 2)
  --reply-prompts N        validation prompts sampled at each evaluation to count replies ending in ${IM_END} (default 8)
  --out DIR                run folder (default runs/train/sft)
  --resume[=DIR]           continue an interrupted SFT run
  --backend NAME, --native | --no-native, and every training flag of \`lmkit-train pretrain --help\`
  (SFT defaults: cosine from 1e-4 to 0, weight decay 0, evaluation every 50 steps)`;

export async function sftCommand(args: ParsedArgs): Promise<number> {
  const run = loadRunConfig(args.flags);
  if (!run.base)
    throw new TrainerConfigError('sft needs --base CHECKPOINT (a pretrain checkpoint folder)');
  if (!run.conversations) throw new TrainerConfigError('sft needs --conversations FILE');
  const outDir = run.outDir ?? join(process.cwd(), 'runs/train/sft');
  const progress = createProgress();
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
  progress.log(
    `conversations: ${train.length} train / ${validation.length} validation (${format}); ${skipped} renderings skipped (a turn longer than the context); ${prompts.length} reply prompts`,
  );
  const resume = args.flags.get('resume');
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
      resume: typeof resume === 'string' ? resume : resume === true,
      tokenizerJson: chatJson,
      signal,
      log: progress.log,
      onMetrics: progress.onMetrics,
    }),
  );
  progress.finish();
  console.log(
    JSON.stringify({
      steps: result.steps,
      trainLoss: result.lastTrainLoss,
      valLoss: result.lastValLoss,
      checkpoint: result.checkpoint,
      plots: result.plots,
      stoppedBy: result.stoppedBy,
    }),
  );
  base.model.dispose();
  return result.stoppedBy === 'signal' ? 130 : 0;
}
