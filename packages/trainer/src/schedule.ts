// Learning-rate schedules: linear warm-up then cosine decay to a floor (nanoGPT's get_lr).

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

/** The learning rate at a 0-based step. */
export function cosineLearningRate(step: number, schedule: CosineSchedule): number {
  const { maxLearningRate, minLearningRate, warmupSteps, decaySteps } = schedule;
  if (step < warmupSteps) return (maxLearningRate * (step + 1)) / warmupSteps;
  if (step >= decaySteps) return minLearningRate;
  const progress = (step - warmupSteps) / (decaySteps - warmupSteps);
  const coefficient = 0.5 * (1 + Math.cos(Math.PI * progress));
  return minLearningRate + coefficient * (maxLearningRate - minLearningRate);
}
