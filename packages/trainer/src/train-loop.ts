// The optimisation loop shared by pre-training and SFT: micro-batches with gradient accumulation,
// global-norm clipping, AdamW, schedules, evaluation, samples, checkpoints, signals and resume.
// Data comes from a BatchSource whose cursor is JSON; everything random comes from one Random.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { AdamW } from './adamw.ts';
import {
  listCheckpoints,
  readModelWeights,
  readOptimizerState,
  readTrainerState,
  type TrainerState,
  verifyCheckpoint,
  writeCheckpoint,
} from './checkpoint.ts';
import { TrainerConfigError, TrainingDivergedError } from './errors.ts';
import {
  accumulateGradients,
  clipCoefficient,
  globalNorm,
  gradientAccumulationSteps,
} from './gradients.ts';
import { assertStepFits } from './memory.ts';
import { modelFlopsUtilization } from './mfu.ts';
import type { TrainableModel } from './model.ts';
import { writeLossPlots } from './plot.ts';
import { Random } from './random.ts';
import { ensureGradientsRegistered } from './register-gradients.ts';
import { learningRateAt } from './schedule.ts';
import {
  type EvalMetrics,
  formatEvalLine,
  formatStepLine,
  MetricsLog,
  type MetricsRecord,
  type TrainStepMetrics,
} from './step-log.ts';
import { plannedSteps, type TrainingConfig } from './training-config.ts';
import { checkBatchVocabulary } from './vocabulary.ts';

/** One micro-batch, row-major (B, T). */
export interface Batch {
  batchSize: number;
  sequenceLength: number;
  inputs: Int32Array;
  targets: Int32Array;
  /** 1 where the target counts toward the loss (SFT); all positions count without it. */
  lossMask?: Float32Array;
}

/** Where micro-batches come from; `cursor()` is JSON and reopens the source exactly there. */
export interface BatchSource {
  next(): Batch | Promise<Batch>;
  cursor(): unknown;
}

export interface TrainingLoopOptions {
  kind: 'pretrain' | 'sft';
  model: TrainableModel;
  config: Readonly<TrainingConfig>;
  /** Opens the training source, at `cursor` when resuming. */
  openSource: (cursor: unknown) => Promise<BatchSource>;
  /** Validation: loss and optional bits per byte / stop rate. */
  evaluate?: () => Promise<Pick<EvalMetrics, 'loss' | 'bitsPerByte' | 'stopRate'>>;
  /** A text sample for the log, seeded by the step. */
  sample?: (seed: number) => Promise<string>;
  /** Run folder: metrics.jsonl, loss.svg, loss.png, checkpoints/. */
  outDir: string;
  /** A checkpoint folder to continue from (verified before use). */
  resumeFrom?: string;
  tokenizerJson?: unknown;
  /** Aborting writes a checkpoint at the next step boundary and returns. */
  signal?: AbortSignal;
  log?: (line: string) => void;
  onMetrics?: (record: MetricsRecord) => void;
  now?: () => number;
}

export interface TrainingResult {
  /** Optimizer steps completed in total (including those before a resume). */
  steps: number;
  tokensSeen: number;
  lastTrainLoss: number | undefined;
  lastValLoss: number | undefined;
  /** Folder of the last checkpoint written. */
  checkpoint: string | undefined;
  stoppedBy: 'budget' | 'signal';
  metricsPath: string;
  plots: { svg: string; png: string };
}

function defaultMemoryLimitBytes(): number {
  return tf.getBackend() === 'wasm' ? 4 * 2 ** 30 : 0.8 * totalmem();
}

/** Runs the loop to its budget (or a signal) and returns what it did. */
export async function runTraining(options: TrainingLoopOptions): Promise<TrainingResult> {
  const { model, config, kind, outDir } = options;
  await ensureGradientsRegistered();
  const log = options.log ?? ((line: string) => console.log(line));
  const now = options.now ?? (() => performance.now());
  const { blockSize, vocabSize } = model.config;
  if (config.sequenceLength > blockSize) {
    throw new TrainerConfigError(
      `sequenceLength ${config.sequenceLength} exceeds the model's block size ${blockSize}; lower sequenceLength to ≤ ${blockSize} or build the model with blockSize ≥ ${config.sequenceLength}`,
    );
  }
  const accumulation = gradientAccumulationSteps(config);
  assertStepFits({
    config: model.config,
    batchSize: config.batchSize,
    sequenceLength: config.sequenceLength,
    limitBytes: config.memoryLimitBytes ?? defaultMemoryLimitBytes(),
    backend: tf.getBackend(),
  });
  const totalSteps = plannedSteps(config);
  const tokensPerStep = accumulation * config.batchSize * config.sequenceLength;
  mkdirSync(outDir, { recursive: true });
  const checkpointRoot = join(outDir, 'checkpoints');
  const metrics = new MetricsLog(join(outDir, 'metrics.jsonl'));
  const optimizer = new AdamW(model.parameters, config);

  let state: TrainerState;
  let random: Random;
  if (options.resumeFrom) {
    verifyCheckpoint(options.resumeFrom);
    state = readTrainerState(options.resumeFrom);
    restoreWeights(model, options.resumeFrom);
    const saved = readOptimizerState(options.resumeFrom);
    optimizer.loadMoments(saved.moments, saved.stepCount);
    random = Random.fromState(state.random as ReturnType<Random['state']>);
    metrics.truncateAfter(state.step);
    log(`resumed from ${options.resumeFrom} at step ${state.step}`);
  } else {
    if (listCheckpoints(checkpointRoot).length > 0) {
      throw new TrainerConfigError(
        `${checkpointRoot} already holds checkpoints; pass resume to continue that run, or choose another outDir`,
      );
    }
    if (existsSync(metrics.path)) rmSync(metrics.path);
    random = new Random(config.seed);
    state = {
      kind,
      step: 0,
      tokensSeen: 0,
      trainingTimeMs: 0,
      dataCursor: undefined,
      random: random.state(),
      config,
    };
  }
  const source = await options.openSource(state.dataCursor);
  const runStarted = now();
  const wallBaseMs = state.wallTimeMs ?? 0;
  const wallTimeMs = () => wallBaseMs + now() - runStarted;
  const variables = [...model.parameters.values()];
  const nameOf = new Map([...model.parameters].map(([name, v]) => [v.name, name]));
  let lastTrainLoss: number | undefined;
  let lastValLoss: number | undefined;
  let checkpoint: string | undefined = options.resumeFrom;
  const record = (entry: MetricsRecord) => {
    metrics.append(entry);
    options.onMetrics?.(entry);
  };

  const saveCheckpoint = async () => {
    state.dataCursor = source.cursor();
    state.random = random.state();
    state.wallTimeMs = wallTimeMs();
    checkpoint = await writeCheckpoint({
      root: checkpointRoot,
      step: state.step,
      model,
      optimizer,
      state,
      tokenizerJson: options.tokenizerJson,
      keepLast: config.keepLast,
    });
    log(`checkpoint step ${state.step} → ${checkpoint}`);
  };

  const evaluate = async () => {
    if (!options.evaluate) return;
    const result = await options.evaluate();
    lastValLoss = result.loss;
    const entry: EvalMetrics = {
      type: 'val',
      step: state.step,
      tokensSeen: state.tokensSeen,
      trainingTimeMs: state.trainingTimeMs,
      wallTimeMs: wallTimeMs(),
      ...result,
    };
    record(entry);
    log(formatEvalLine(entry));
  };

  if (state.step === 0 && config.evalEvery !== undefined) await evaluate();
  let stoppedBy: TrainingResult['stoppedBy'] = 'budget';
  const outOfTime = () =>
    config.maxMinutes !== undefined && state.trainingTimeMs >= config.maxMinutes * 60_000;
  while (state.step < totalSteps && !outOfTime()) {
    if (options.signal?.aborted) {
      stoppedBy = 'signal';
      break;
    }
    const started = now();
    const learningRate = learningRateAt(state.step, config.schedule);
    const gradients: Record<string, tf.Tensor> = {};
    let loss = 0;
    for (let micro = 0; micro < accumulation; micro++) {
      const batch = await source.next();
      checkBatchVocabulary(batch, vocabSize, `training step ${state.step + 1}`);
      const seed = random.nextUint32();
      const shape: [number, number] = [batch.batchSize, batch.sequenceLength];
      const inputs = tf.tensor2d(batch.inputs, shape, 'int32');
      const targets = tf.tensor2d(batch.targets, shape, 'int32');
      const lossMask = batch.lossMask ? tf.tensor2d(batch.lossMask, shape, 'float32') : undefined;
      const { value, grads } = tf.variableGrads(
        () =>
          tf.tidy(() =>
            tf.div(model.loss(inputs, targets, { lossMask, training: true, seed }), accumulation),
          ) as tf.Scalar,
        variables,
      );
      loss += value.dataSync()[0];
      value.dispose();
      inputs.dispose();
      targets.dispose();
      lossMask?.dispose();
      const named: Record<string, tf.Tensor> = {};
      for (const [variableName, gradient] of Object.entries(grads)) {
        named[nameOf.get(variableName) ?? variableName] = gradient;
      }
      accumulateGradients(gradients, named);
    }
    // Clipping is a scale the AdamW update applies in the same pass (no scaled copies).
    const gradNorm = globalNorm(gradients);
    if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
      for (const gradient of Object.values(gradients)) gradient.dispose();
      optimizer.dispose();
      const what = Number.isFinite(loss) ? `gradient norm ${gradNorm}` : `loss ${loss}`;
      throw new TrainingDivergedError(
        `step ${state.step + 1}: ${what} is not finite; training stopped without saving it. ${checkpoint ? `The last good checkpoint is ${checkpoint}` : 'No checkpoint was written yet'}; lower the learning rate (now ${learningRate.toExponential(2)}) or the gradient clip and resume`,
        state.step + 1,
        checkpoint,
      );
    }
    optimizer.apply(gradients, learningRate, {
      gradientScale: clipCoefficient(gradNorm, config.gradientClip),
    });
    for (const gradient of Object.values(gradients)) gradient.dispose();
    const durationMs = now() - started;
    state.step += 1;
    state.tokensSeen += tokensPerStep;
    state.trainingTimeMs += durationMs;
    lastTrainLoss = loss;
    const tokensPerSecond = tokensPerStep / (durationMs / 1000);
    const entry: TrainStepMetrics = {
      type: 'train',
      step: state.step,
      totalSteps,
      loss,
      learningRate,
      gradNorm,
      durationMs,
      tokensPerSecond,
      mfu: modelFlopsUtilization({
        config: model.config,
        sequenceLength: config.sequenceLength,
        tokensPerSecond,
        peakFlopsPerSecond: config.peakFlopsPerSecond,
      }),
      tokensSeen: state.tokensSeen,
      trainingTimeMs: state.trainingTimeMs,
      wallTimeMs: wallTimeMs(),
    };
    record(entry);
    log(formatStepLine(entry));
    const last = state.step >= totalSteps || outOfTime();
    if (config.evalEvery !== undefined && (state.step % config.evalEvery === 0 || last)) {
      await evaluate();
    }
    if (
      options.sample &&
      config.sampleEvery !== undefined &&
      state.step % config.sampleEvery === 0
    ) {
      log(
        `sample step ${state.step}: ${JSON.stringify(await options.sample(config.seed + state.step))}`,
      );
    }
    if (
      !last &&
      config.checkpointEvery !== undefined &&
      state.step % config.checkpointEvery === 0
    ) {
      await saveCheckpoint();
    }
    // let SIGINT/SIGTERM handlers run between steps
    await new Promise((resolve) => setImmediate(resolve));
  }
  await saveCheckpoint();
  optimizer.dispose();
  const plots = writeLossPlots({ records: metrics.read(), outDir, title: `${kind} loss` });
  if (stoppedBy === 'signal')
    log(`stopped by signal at step ${state.step}; checkpoint ${checkpoint}`);
  return {
    steps: state.step,
    tokensSeen: state.tokensSeen,
    lastTrainLoss,
    lastValLoss,
    checkpoint,
    stoppedBy,
    metricsPath: metrics.path,
    plots,
  };
}

/** Copies a checkpoint's weights into the model's variables (names and shapes must match). */
export function restoreWeights(model: TrainableModel, dir: string): void {
  const weights = readModelWeights(dir);
  for (const [name, variable] of model.parameters) {
    const saved = weights.get(name);
    if (!saved || saved.data.length !== variable.size) {
      throw new TrainerConfigError(
        `checkpoint ${dir} has no weights of ${variable.size} values for ${name}${saved ? ` (it has ${saved.data.length})` : ''}; resume with the model config the checkpoint was written with`,
      );
    }
    tf.tidy(() => variable.assign(tf.tensor(saved.data, variable.shape, 'float32')));
  }
}
