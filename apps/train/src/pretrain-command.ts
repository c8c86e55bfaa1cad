// `lmkit-train pretrain`: builds a GPT from the config, prepares data (byte-level text or shards),
// and runs @lmkit/trainer's pretrain with signal handling, a progress bar and loss plots.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tokenizerFromJSON } from '@lmkit/bpe';
import { formatHelp, parseFlags, UsageError } from '@lmkit/cli-kit';
import { GPT } from '@lmkit/gpt-model';
import { defaultTrainingConfig, pretrain } from '@lmkit/trainer';
import { backendFlags, trainingFlags } from './args.ts';
import { prepareByteData } from './byte-data.ts';
import { trainingProgress } from './progress.ts';
import {
  checkRunPaths,
  checkTraining,
  configFlag,
  loadRunConfig,
  modelConfig,
  runFlags,
  sequenceLengthFor,
} from './run-config.ts';
import { checkResumeSpelling, reportRun, resumeFlags, runListeners } from './run-output.ts';
import { setUpBackend } from './setup.ts';
import { withSignals } from './signals.ts';

const sftOnly = new Set([
  'base',
  'conversations',
  'conversation-format',
  'packing',
  'epochs',
  'reply-prompts',
]);

const flags = {
  ...configFlag,
  ...Object.fromEntries(Object.entries(runFlags).filter(([name]) => !sftOnly.has(name))),
  ...resumeFlags,
  ...backendFlags,
  ...trainingFlags,
};

export const pretrainHelp = formatHelp({
  usage: 'lmkit-train pretrain (--text FILE | --train A,B --val C) --max-steps N [flags]',
  description:
    "Pre-trains a GPT on token shards or on a text file read as bytes. SIGINT / SIGTERM write a checkpoint before exiting; --resume continues exactly. The sequence length defaults to 128, capped at the model's block size.",
  groups: [
    {
      title: 'data, model and run folder',
      flags: {
        ...configFlag,
        ...Object.fromEntries(Object.entries(runFlags).filter(([name]) => !sftOnly.has(name))),
        ...resumeFlags,
        ...backendFlags,
      },
    },
    { title: 'training', flags: trainingFlags },
  ],
  footer:
    'Example: lmkit-train pretrain --text data/text/tinyshakespeare.txt --model tiny --max-steps 2000',
});

export async function pretrainCommand(argv: string[]): Promise<number> {
  checkResumeSpelling(argv);
  const { values } = parseFlags(flags, argv);
  if (values.help) {
    console.log(pretrainHelp);
    return 0;
  }
  const run = loadRunConfig(values);
  checkRunPaths(run);
  if (!run.text && !run.train?.length) {
    throw new UsageError(
      'no training data: give --text FILE, or --train shard files (or "text"/"train" in --config)',
    );
  }
  checkTraining(run, defaultTrainingConfig);
  const outDir = run.outDir ?? join(process.cwd(), 'runs/train/pretrain');
  const progress = trainingProgress();
  let trainFiles = run.train;
  let valFiles = run.val;
  let tokenizerJson: unknown = run.tokenizer
    ? JSON.parse(readFileSync(run.tokenizer, 'utf8'))
    : undefined;
  if (run.text) {
    const data = await prepareByteData({
      text: run.text,
      valFraction: run.valFraction,
      dir: join(outDir, 'data'),
    });
    progress.log(
      `data: ${run.text} as bytes: ${data.trainTokens} train / ${data.valTokens} validation tokens`,
    );
    trainFiles = [data.train];
    valFiles = [data.val];
    tokenizerJson ??= data.tokenizerJson;
  }
  const tokenizer = tokenizerJson ? tokenizerFromJSON(tokenizerJson) : undefined;
  const config = modelConfig(run.model, tokenizer?.vocabSize ?? 50257);
  const sequenceLength = sequenceLengthFor(run, defaultTrainingConfig, config.blockSize);
  progress.log(
    await setUpBackend({
      ...run,
      trainingStep: {
        model: config,
        batchSize: run.training?.batchSize,
        sequenceLength,
      },
    }),
  );
  const model = new GPT(config, { seed: run.modelSeed ?? 1337 });
  const result = await withSignals((signal) =>
    pretrain({
      model,
      trainFiles: trainFiles ?? [],
      valFiles,
      outDir,
      tokenizer,
      tokenizerJson,
      samplePrompt: run.samplePrompt,
      config: { ...run.training, sequenceLength },
      signal,
      ...runListeners(values, progress),
    }),
  );
  const code = reportRun(progress, result, { tokensSeen: true, plots: true });
  model.dispose();
  return code;
}
