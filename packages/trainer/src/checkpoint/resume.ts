// Finding the checkpoint to resume from: the newest folder under a run's checkpoints/, verified;
// a damaged newest checkpoint is reported, never skipped or loaded silently.

import { listCheckpoints, verifyCheckpoint } from '@lmkit/gpt-model';
import { TrainerConfigError } from '../errors.ts';

/** The newest checkpoint folder under `root`, after checking its manifest. */
export function latestCheckpointOrThrow(root: string): string {
  const all = listCheckpoints(root);
  if (all.length === 0) {
    throw new TrainerConfigError(
      `resume: ${root} holds no checkpoint folder (step-XXXXXXXX); start without resume, or point resume at a checkpoint folder`,
    );
  }
  const newest = all[all.length - 1].dir;
  verifyCheckpoint(newest);
  return newest;
}
