// `lmkit-train pretrain`: builds a GPT from the config, prepares data (byte-level text or shards),
// and runs @lmkit/trainer's pretrain with signal handling, a progress bar and loss plots.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tokenizerFromJSON } from '@lmkit/bpe';
import { GPT } from '@lmkit/gpt-model';
import { createProgress, pretrain, TrainerConfigError } from '@lmkit/trainer';
import type { ParsedArgs } from './args.ts';
import { prepareByteData } from './byte-data.ts';
import { loadRunConfig, modelConfig } from './run-config.ts';
import { setUpBackend } from './setup.ts';
import { withSignals } from './signals.ts';

export const pretrainHelp = `lmkit-train pretrain [--config run.json] [flags]

Pre-trains a GPT on token shards or on a text file read as bytes.

  --config FILE         JSON run config (fields below, plus "model" and "training")
  --text FILE           train on this UTF-8 text as bytes (vocabulary 256), first 90 % train
  --val-fraction X      share of the text kept for validation (default 0.1)
  --train A,B --val C   token shards instead of --text (llm.c .bin)
  --tokenizer FILE      bpe tokenizer.json for samples, bits per byte and checkpoints
  --model NAME          a gpt-model preset; or give "model": { nLayer, nHead, nEmbd, blockSize } in the config
  --out DIR             run folder (default runs/train/pretrain): metrics.jsonl, loss.svg/png, checkpoints/
  --resume[=DIR]        continue from the newest checkpoint in --out (or from DIR)
  --backend NAME        auto | tensorflow | wasm | cpu (default auto); native kernels are used when built: --native requires them, --no-native turns them off
  --max-steps N --max-tokens N --max-minutes M   step budget
  --batch-size B --sequence-length T --total-batch-tokens N   (gradient accumulation)
  --lr X --min-lr X --warmup-steps N --decay-steps N --schedule cosine|wsd|constant
  --eval-every N --eval-batches N --sample-every N --checkpoint-every N --keep-last K --seed N
  --weight-decay X --gradient-clip X --peak-flops-per-second X

SIGINT / SIGTERM write a checkpoint before exiting; --resume continues exactly.`;

export async function pretrainCommand(args: ParsedArgs): Promise<number> {
  const run = loadRunConfig(args.flags);
  const outDir = run.outDir ?? join(process.cwd(), 'runs/train/pretrain');
  const progress = createProgress();
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
  if (!trainFiles?.length) {
    throw new TrainerConfigError(
      'no training data: give --text FILE, or --train shard files (or "text"/"train" in --config)',
    );
  }
  const tokenizer = tokenizerJson ? tokenizerFromJSON(tokenizerJson) : undefined;
  const config = modelConfig(run.model, tokenizer?.vocabSize ?? 50257);
  progress.log(
    await setUpBackend({
      ...run,
      trainingStep: {
        model: config,
        batchSize: run.training?.batchSize,
        sequenceLength: run.training?.sequenceLength,
      },
    }),
  );
  const model = new GPT(config, { seed: run.modelSeed ?? 1337 });
  const resume = args.flags.get('resume');
  const result = await withSignals((signal) =>
    pretrain({
      model,
      trainFiles: trainFiles!,
      valFiles,
      outDir,
      resume: typeof resume === 'string' ? resume : resume === true,
      tokenizer,
      tokenizerJson,
      samplePrompt: run.samplePrompt,
      config: run.training ?? {},
      signal,
      log: progress.log,
      onMetrics: progress.onMetrics,
    }),
  );
  progress.finish();
  console.log(
    JSON.stringify({
      steps: result.steps,
      tokensSeen: result.tokensSeen,
      trainLoss: result.lastTrainLoss,
      valLoss: result.lastValLoss,
      checkpoint: result.checkpoint,
      plots: result.plots,
      stoppedBy: result.stoppedBy,
    }),
  );
  model.dispose();
  return result.stoppedBy === 'signal' ? 130 : 0;
}
