// Public API of @lmkit/evals.
export { type BitsPerByteResult, evaluateBitsPerByte } from './bits-per-byte.ts';
export { type ClozeOptions, type ClozeUnit, clozeTask, heldOutText } from './cloze.ts';
export { EvalsError } from './errors.ts';
export {
  evaluateMultipleChoice,
  type MultipleChoiceItem,
  type MultipleChoiceLayout,
  type MultipleChoiceResult,
  multipleChoiceItem,
  readMultipleChoice,
} from './multiple-choice.ts';
export {
  evaluatePreferenceAccuracy,
  evaluateWinRate,
  implicitReward,
  type PreferenceAccuracyResult,
  type ReplyScore,
  replyLogProb,
  rewardModelScore,
  type SequenceRewardModel,
  type WinRateResult,
} from './preference-accuracy.ts';
export {
  continuationLogProbs,
  type GptScorerOptions,
  gptScorer,
  type SequenceScorer,
} from './scorer.ts';
