// Public API of @lmkit/trainer.
export { modelFlopsUtilization } from './mfu.ts';
export { type CosineSchedule, cosineLearningRate } from './schedule.ts';
