// The optimisation loop shared by pre-training and SFT: micro-batches with gradient accumulation,
// global-norm clipping, AdamW, schedules, evaluation, samples, checkpoints, signals and resume.
// Data comes from a BatchSource whose cursor is JSON; everything random comes from one
// SeededRandom. It reports through events (./events.ts); the pieces live in ./run-state.ts
// (fresh or resumed start) and ./step.ts (one step's gradients).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SeededRandom } from '@lmkit/core';
import type { TrainerState } from '@lmkit/gpt-model';
import { memoryLimitBytes, registerGradients } from '@lmkit/gpt-model/runtime';
import * as tf from '@tensorflow/tfjs-core';
import { removeTemporaryCheckpoints, writeCheckpoint } from '../checkpoint/checkpoint.ts';
import { TrainerConfigError, TrainingDivergedError } from '../errors.ts';
import type { TrainableModel } from '../model.ts';
import { writeLossPlots } from '../report/plot.ts';
import {
  type EvalMetrics,
  formatEvalLine,
  formatStepLine,
  MetricsLog,
  type MetricsRecord,
  type TrainStepMetrics,
} from '../report/step-log.ts';
import { learningRateAt } from '../schedule.ts';
import { plannedSteps, type TrainingConfig } from '../training-config.ts';
import { AdamW } from './adamw.ts';
import { eventLine, type TrainingEvent, type TrainingEventListener } from './events.ts';
import { clipCoefficient, gradientAccumulationSteps } from './gradients.ts';
import { assertStepFits } from './memory.ts';
import { modelFlopsUtilization } from './mfu.ts';
import { freshRun, resumeRun } from './run-state.ts';
import { computeGradients, gradientNorm } from './step.ts';

export { restoreWeights } from './run-state.ts';

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
  kind: 'pretrain' | 'sft' | 'dpo' | 'reward';
  model: TrainableModel;
  config: Readonly<TrainingConfig>;
  /** Opens the training source, at `cursor` when resuming. */
  openSource: (cursor: unknown) => Promise<BatchSource>;
  /** Validation: loss and optional bits per byte / stop rate. */
  evaluate?: () => Promise<Pick<EvalMetrics, 'loss' | 'bitsPerByte' | 'stopRate' | 'extra'>>;
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
  /** Every step, evaluation, sample and checkpoint as it happens (progress displays, plots). */
  onEvent?: TrainingEventListener;
  /** Objective-specific numbers of the step just taken (DPO rewards), stored as its `extra`. */
  stepExtras?: () => Promise<Record<string, number>>;
  now?: () => number;
  /** Writes checkpoint files; tests inject one that fails like a full disk. */
  writeFile?: (path: string, bytes: Uint8Array | string) => void;
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

/** Checks that run before anything is written: sequence length, accumulation, memory. */
function checkRun(model: TrainableModel, config: Readonly<TrainingConfig>): number {
  const { blockSize } = model.config;
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
    limitBytes: config.memoryLimitBytes ?? memoryLimitBytes(tf.getBackend()),
    backend: tf.getBackend(),
  });
  return accumulation;
}

/** Runs the loop to its budget (or a signal) and returns what it did. */
export async function runTraining(options: TrainingLoopOptions): Promise<TrainingResult> {
  const { model, config, kind, outDir } = options;
  // setBackend registers every gradient; a caller that set the backend itself gets them here.
  registerGradients();
  const log = options.log ?? ((line: string) => console.log(line));
  const now = options.now ?? (() => performance.now());
  const accumulation = checkRun(model, config);
  const totalSteps = plannedSteps(config);
  const tokensPerStep = accumulation * config.batchSize * config.sequenceLength;
  mkdirSync(outDir, { recursive: true });
  const checkpointRoot = join(outDir, 'checkpoints');
  const leftovers = removeTemporaryCheckpoints(checkpointRoot);
  if (leftovers.length > 0)
    log(
      `removed ${leftovers.length} unfinished checkpoint folder(s) of an earlier run: ${leftovers.join(', ')}`,
    );
  const metrics = new MetricsLog(join(outDir, 'metrics.jsonl'));
  const optimizer = new AdamW(model.parameters, config);
  const emit = (event: TrainingEvent) => {
    if (event.type === 'step' || event.type === 'eval') {
      metrics.append(event.metrics);
      options.onMetrics?.(event.metrics);
    }
    options.onEvent?.(event);
    const line = eventLine(event, { step: formatStepLine, eval: formatEvalLine });
    if (line !== undefined) log(line);
  };

  let start: { state: TrainerState; random: SeededRandom };
  try {
    start = options.resumeFrom
      ? resumeRun({ resumeFrom: options.resumeFrom, model, optimizer, metrics })
      : freshRun({ kind, config, checkpointRoot, metrics });
  } catch (error) {
    optimizer.dispose();
    throw error;
  }
  const { state, random } = start;
  if (options.resumeFrom) emit({ type: 'resume', step: state.step, dir: options.resumeFrom });
  const source = await options.openSource(state.dataCursor);
  const runStarted = now();
  const wallBaseMs = state.wallTimeMs ?? 0;
  const wallTimeMs = () => wallBaseMs + now() - runStarted;
  let lastTrainLoss: number | undefined;
  let lastValLoss: number | undefined;
  let checkpoint: string | undefined = options.resumeFrom;

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
      writeFile: options.writeFile,
    });
    emit({ type: 'checkpoint', step: state.step, dir: checkpoint });
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
    emit({ type: 'eval', metrics: entry });
  };

  /** One optimizer step: gradients, the divergence check, the update, its metrics. */
  const trainStep = async () => {
    const started = now();
    const learningRate = learningRateAt(state.step, config.schedule);
    const { gradients, loss } = await computeGradients({
      model,
      source,
      accumulation,
      random,
      step: state.step + 1,
    });
    // Clipping is a scale the AdamW update applies in the same pass (no scaled copies).
    const gradNorm = await gradientNorm(gradients);
    if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
      tf.dispose(Object.values(gradients));
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
    tf.dispose(Object.values(gradients));
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
    if (options.stepExtras) entry.extra = await options.stepExtras();
    emit({ type: 'step', metrics: entry });
  };

  const outOfTime = () =>
    config.maxMinutes !== undefined && state.trainingTimeMs >= config.maxMinutes * 60_000;
  let stoppedBy: TrainingResult['stoppedBy'] = 'budget';
  try {
    if (state.step === 0 && config.evalEvery !== undefined) await evaluate();
    while (state.step < totalSteps && !outOfTime()) {
      if (options.signal?.aborted) {
        stoppedBy = 'signal';
        break;
      }
      await trainStep();
      const last = state.step >= totalSteps || outOfTime();
      if (config.evalEvery !== undefined && (state.step % config.evalEvery === 0 || last)) {
        await evaluate();
      }
      if (
        options.sample &&
        config.sampleEvery !== undefined &&
        state.step % config.sampleEvery === 0
      ) {
        const text = await options.sample(config.seed + state.step);
        emit({ type: 'sample', step: state.step, text });
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
  } finally {
    optimizer.dispose();
  }
  const plots = writeLossPlots({ records: metrics.read(), outDir, title: `${kind} loss` });
  emit({ type: 'stop', step: state.step, reason: stoppedBy, checkpoint });
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
