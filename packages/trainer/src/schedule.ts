// Learning-rate schedules: linear warm-up then cosine decay to a floor (nanoGPT's get_lr), and
// warm-up / stable / decay (a plateau at the peak, then a linear cool-down to the floor).

export interface CosineSchedule {
  /** Peak learning rate reached at the end of warm-up. */
  maxLearningRate: number;
  /** Floor reached at `decaySteps` and held after it. */
  minLearningRate: number;
  /** Steps of linear warm-up from maxLearningRate / warmupSteps. */
  warmupSteps: number;
  /** Step at which the cosine reaches the floor. */
  decaySteps: number;
}

export interface WarmupStableDecaySchedule {
  /** Plateau learning rate. */
  maxLearningRate: number;
  /** Learning rate at the end of the decay, held after it. */
  minLearningRate: number;
  /** Steps of linear warm-up. */
  warmupSteps: number;
  /** Total steps of the run; the decay phase ends here. */
  totalSteps: number;
  /** Steps of the final linear decay (e.g. 20 % of totalSteps). */
  decaySteps: number;
}

/** Either schedule, tagged, as a training config names it. */
export type LearningRateSchedule =
  | ({ kind: 'cosine' } & CosineSchedule)
  | ({ kind: 'wsd' } & WarmupStableDecaySchedule)
  | { kind: 'constant'; maxLearningRate: number };

/** The learning rate at a 0-based step. */
export function cosineLearningRate(step: number, schedule: CosineSchedule): number {
  const { maxLearningRate, minLearningRate, warmupSteps, decaySteps } = schedule;
  if (step < warmupSteps) return (maxLearningRate * (step + 1)) / warmupSteps;
  if (step >= decaySteps) return minLearningRate;
  const progress = (step - warmupSteps) / (decaySteps - warmupSteps);
  const coefficient = 0.5 * (1 + Math.cos(Math.PI * progress));
  return minLearningRate + coefficient * (maxLearningRate - minLearningRate);
}

/** Warm-up, a plateau at the peak, then linear decay over the last `decaySteps` steps. */
export function warmupStableDecayLearningRate(
  step: number,
  schedule: WarmupStableDecaySchedule,
): number {
  const { maxLearningRate, minLearningRate, warmupSteps, totalSteps, decaySteps } = schedule;
  if (step < warmupSteps) return (maxLearningRate * (step + 1)) / warmupSteps;
  const decayStart = totalSteps - decaySteps;
  if (step < decayStart) return maxLearningRate;
  if (step >= totalSteps) return minLearningRate;
  const progress = (step - decayStart) / decaySteps;
  return maxLearningRate + progress * (minLearningRate - maxLearningRate);
}

/** The learning rate at a step for any schedule kind. */
export function learningRateAt(step: number, schedule: LearningRateSchedule): number {
  switch (schedule.kind) {
    case 'cosine':
      return cosineLearningRate(step, schedule);
    case 'wsd':
      return warmupStableDecayLearningRate(step, schedule);
    case 'constant':
      return schedule.maxLearningRate;
  }
}
