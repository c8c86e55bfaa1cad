// `lmkit-train dpo` and `lmkit-train reward`: preference pairs (oasst1 ranked replies, or
// `{ prompt, chosen, rejected }` rows in JSONL/Parquet) split by tree, rendered with the chat
// template of an SFT checkpoint's tokenizer, then @lmkit/trainer's dpo (policy and a frozen
// reference loaded from the same checkpoint) or trainRewardModel (the checkpoint plus a score head).
import { join } from 'node:path';
import { tokenizerFromJSON } from '@lmkit/bpe';
import { renderPairs } from '@lmkit/chat-template';
import { flag, formatHelp, parseFlags, UsageError } from '@lmkit/cli-kit';
import { newLoadReport, type PreferencePair, readPreferenceSplit } from '@lmkit/datasets';
import {
  dpo,
  loadCheckpoint,
  type PreferenceExample,
  RewardModel,
  sftDefaultConfig,
  TrainerConfigError,
  trainRewardModel,
} from '@lmkit/trainer';
import { backendFlags, trainingFlags } from './args.ts';
import { trainingProgress } from './progress.ts';
import { checkTraining, configFlag, loadRunConfig, runFlags } from './run-config.ts';
import { checkResumeSpelling, reportRun, resumeFlags, runListeners } from './run-output.ts';
import { setUpBackend } from './setup.ts';
import { withSignals } from './signals.ts';

const shared = Object.fromEntries(
  Object.entries(runFlags).filter(([name]) => ['base', 'out', 'val-fraction'].includes(name)),
);
const pairFlags = {
  pairs: flag.string({
    description: 'oasst1 trees/messages or { prompt, chosen, rejected } rows (JSONL or Parquet)',
    placeholder: 'FILE',
  }),
  'pairs-format': flag.string({
    description:
      "'oasst' (ranked sibling replies) or 'pairs' (default: oasst when the name says so)",
    choices: ['oasst', 'pairs'] as const,
  }),
};
const dpoFlags = {
  beta: flag.number({
    description: 'strength of the pull toward the reference',
    above: 0,
    default: 0.1,
  }),
};
const runFolderFlagsOf = (extra: object) => ({
  ...configFlag,
  ...shared,
  ...pairFlags,
  ...extra,
  ...resumeFlags,
  ...backendFlags,
});
const flagsOf = (extra: object) => ({ ...runFolderFlagsOf(extra), ...trainingFlags });

const helpOf = (command: 'dpo' | 'reward', extra: object) =>
  formatHelp({
    usage: `lmkit-train ${command} --base CHECKPOINT --pairs FILE [flags]`,
    description:
      command === 'dpo'
        ? 'Aligns an SFT checkpoint with preference pairs by DPO (reference = the same checkpoint, frozen;\nits log-probabilities are computed once and cached in --out). --batch-size counts rows, two per pair.'
        : 'Trains a reward model (the checkpoint with a scalar head on the last token) on preference pairs\nwith the Bradley–Terry loss; reports held-out accuracy. --batch-size counts rows, two per pair.',
    groups: [
      {
        title: 'data and run folder',
        flags: runFolderFlagsOf(extra),
      },
      { title: 'training', flags: trainingFlags },
    ],
  });

export const dpoCommand = (argv: string[]) => preferenceCommand('dpo', argv);
export const rewardCommand = (argv: string[]) => preferenceCommand('reward', argv);

async function preferenceCommand(command: 'dpo' | 'reward', argv: string[]): Promise<number> {
  checkResumeSpelling(argv);
  const extra = command === 'dpo' ? dpoFlags : {};
  const { values } = parseFlags(flagsOf(extra), argv);
  if (values.help) {
    console.log(helpOf(command, extra));
    return 0;
  }
  const run = loadRunConfig(values);
  const pairsPath = values.pairs as string | undefined;
  if (!run.base)
    throw new UsageError(`${command} needs --base CHECKPOINT (an SFT checkpoint folder)`);
  if (!pairsPath)
    throw new UsageError(
      `${command} needs --pairs FILE (e.g. --pairs data/conversations/oasst1-en-100-trees.jsonl)`,
    );
  checkTraining(run, sftDefaultConfig, { budgetOptional: true });
  const outDir = run.outDir ?? join(process.cwd(), `runs/train/${command}`);
  const progress = trainingProgress();
  progress.log(await setUpBackend(run));
  const policy = await loadCheckpoint(run.base);
  if (!policy.tokenizerJson)
    throw new TrainerConfigError(
      `${run.base} has no tokenizer.json; ${command} renders the pairs with the checkpoint's chat tokenizer`,
    );
  const tokenizer = tokenizerFromJSON(policy.tokenizerJson as never);
  const format =
    (values.pairsFormat as 'oasst' | 'pairs' | undefined) ??
    (pairsPath.includes('oasst') ? 'oasst' : 'pairs');
  const report = newLoadReport();
  const split = await readPreferenceSplit({
    path: pairsPath,
    skipInvalid: true,
    report,
    from: format,
    validationFraction: run.valFraction ?? 0.1,
  });
  const sequenceLength = run.training?.sequenceLength ?? policy.model.config.blockSize;
  // Too-long pairs are truncated (the prompt keeps its last turns, replies are cut), not skipped.
  const renderAll = (pairs: PreferencePair[]) =>
    renderPairs(pairs, tokenizer, {
      maxTokens: sequenceLength + (command === 'dpo' ? 1 : 0),
    });
  const train = renderAll(split.train);
  const validation = renderAll(split.validation);
  const pairs: PreferenceExample[] = train.pairs.map(({ chosen, rejected }) => ({
    chosen,
    rejected,
  }));
  const valPairs: PreferenceExample[] = validation.pairs.map(({ chosen, rejected }) => ({
    chosen,
    rejected,
  }));
  const left = Object.entries(report.skipped)
    .map(([reason, n]) => `${n} ${reason}`)
    .join(', ');
  if (left) progress.log(`left out while reading ${pairsPath}: ${left}`);
  progress.log(
    `pairs: ${pairs.length} train / ${valPairs.length} validation (${format}); longer than ${sequenceLength} tokens: ${train.truncated + validation.truncated} truncated (prompt's first turns dropped and/or replies cut), ${train.skipped + validation.skipped} skipped (the last user turn alone too long)`,
  );
  if (pairs.length === 0)
    throw new TrainerConfigError(
      `no training pair fits in ${sequenceLength} tokens; raise --sequence-length up to the block size ${policy.model.config.blockSize}`,
    );
  const common = {
    pairs,
    valPairs,
    config: { ...run.training, sequenceLength },
    outDir,
    tokenizerJson: policy.tokenizerJson,
    ...runListeners(values, progress),
  };
  const result = await withSignals(async (signal) => {
    if (command === 'reward')
      return trainRewardModel({ ...common, model: new RewardModel(policy.model), signal });
    const reference = await loadCheckpoint(run.base!);
    try {
      return await dpo({
        ...common,
        policy: policy.model,
        reference: reference.model,
        beta: (values as { beta?: number }).beta ?? 0.1,
        signal,
      });
    } finally {
      reference.model.dispose();
    }
  });
  const code = reportRun(progress, result);
  policy.model.dispose();
  return code;
}
