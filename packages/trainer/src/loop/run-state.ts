// Where a run starts: a fresh state (refusing an outDir that already holds checkpoints) or the
// state, weights, optimizer moments and random generator of a verified checkpoint.
import { existsSync, rmSync } from 'node:fs';
import { type RandomState, SeededRandom } from '@lmkit/core';
import {
  listCheckpoints,
  readTrainerState,
  type TrainerState,
  verifyCheckpoint,
} from '@lmkit/gpt-model';
import * as tf from '@tensorflow/tfjs-core';
import { readModelWeights, readOptimizerState } from '../checkpoint/checkpoint.ts';
import { TrainerConfigError } from '../errors.ts';
import type { TrainableModel } from '../model.ts';
import type { MetricsLog } from '../report/step-log.ts';
import type { TrainingConfig } from '../training-config.ts';
import type { AdamW } from './adamw.ts';

export interface RunStart {
  state: TrainerState;
  random: SeededRandom;
}

/** The state to continue from `resumeFrom`, with weights and moments restored into the model. */
export function resumeRun(options: {
  resumeFrom: string;
  model: TrainableModel;
  optimizer: AdamW;
  metrics: MetricsLog;
}): RunStart {
  const { resumeFrom, model, optimizer, metrics } = options;
  verifyCheckpoint(resumeFrom);
  const state = readTrainerState(resumeFrom);
  restoreWeights(model, resumeFrom);
  const saved = readOptimizerState(resumeFrom);
  optimizer.loadMoments(saved.moments, saved.stepCount);
  metrics.truncateAfter(state.step);
  return { state, random: SeededRandom.fromState(state.random as RandomState) };
}

/** Step 0 of a new run; refuses a checkpoint folder that already holds checkpoints. */
export function freshRun(options: {
  kind: 'pretrain' | 'sft' | 'dpo' | 'reward';
  config: Readonly<TrainingConfig>;
  checkpointRoot: string;
  metrics: MetricsLog;
}): RunStart {
  const { checkpointRoot, metrics, config } = options;
  if (listCheckpoints(checkpointRoot).length > 0) {
    throw new TrainerConfigError(
      `${checkpointRoot} already holds checkpoints; pass resume to continue that run, or choose another outDir`,
    );
  }
  if (existsSync(metrics.path)) rmSync(metrics.path);
  const random = new SeededRandom(config.seed);
  const state: TrainerState = {
    kind: options.kind,
    step: 0,
    tokensSeen: 0,
    trainingTimeMs: 0,
    dataCursor: undefined,
    random: random.state(),
    config,
  };
  return { state, random };
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
