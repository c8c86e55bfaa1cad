// What the training commands (pretrain, sft, dpo, reward) share around the trainer call: the
// resume flags, those and the progress display as the trainer's options, and the summary line.

import { flag, UsageError } from '@lmkit/cli-kit';
import type { TrainingResult } from '@lmkit/trainer';
import type { trainingProgress } from './progress.ts';

type Progress = ReturnType<typeof trainingProgress>;

export const resumeFlags = {
  resume: flag.boolean({ description: 'continue from the newest checkpoint in --out' }),
  'resume-from': flag.string({
    description: 'continue from this checkpoint folder',
    placeholder: 'DIR',
  }),
};

/** `--resume` / `--resume-from DIR` as the trainer's resume option. */
export function resumeOption(values: { resume?: boolean; resumeFrom?: string }): boolean | string {
  if (values.resume && values.resumeFrom)
    throw new UsageError('give --resume or --resume-from DIR, not both');
  return values.resumeFrom ?? values.resume === true;
}

/** `--resume=DIR` (the old spelling) → a hint to use --resume-from. */
export function checkResumeSpelling(argv: readonly string[]): void {
  const old = argv.find((arg) => arg.startsWith('--resume='));
  if (old)
    throw new UsageError(
      `${old}: write --resume-from ${old.slice('--resume='.length)} (or --resume alone for the newest checkpoint in --out)`,
    );
}

/** `--resume` / `--resume-from` and the progress display's log and metrics, as trainer options. */
export function runListeners(values: object, progress: Progress) {
  return {
    resume: resumeOption(values as { resume?: boolean; resumeFrom?: string }),
    log: progress.log,
    onMetrics: progress.onMetrics,
  };
}

/**
 * Ends the progress display and prints the run's summary as one JSON line (tokens seen and plot
 * paths when asked for); returns the exit code, 130 when a signal stopped the run.
 */
export function reportRun(
  progress: Progress,
  result: TrainingResult,
  show: { tokensSeen?: boolean; plots?: boolean } = {},
): number {
  progress.finish();
  console.log(
    JSON.stringify({
      steps: result.steps,
      tokensSeen: show.tokensSeen ? result.tokensSeen : undefined,
      trainLoss: result.lastTrainLoss,
      valLoss: result.lastValLoss,
      checkpoint: result.checkpoint,
      plots: show.plots ? result.plots : undefined,
      stoppedBy: result.stoppedBy,
    }),
  );
  return result.stoppedBy === 'signal' ? 130 : 0;
}
