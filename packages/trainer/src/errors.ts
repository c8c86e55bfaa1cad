// The one error base class of @lmkit/trainer, and the specific failures callers may catch.
// Every message names the value, the limit and the fix.
import { LmkitError } from '@lmkit/core';

/** Base class of every error thrown by @lmkit/trainer (an @lmkit/core LmkitError). */
export class TrainerError extends LmkitError {}

/** A training or SFT config that cannot run (bad field, T over the block size, vocab mismatch). */
export class TrainerConfigError extends TrainerError {}

/**
 * A checkpoint folder whose manifest, checksums or sizes do not match its files. Checkpoint
 * reading lives in @lmkit/gpt-model (below the trainer), so this is gpt-model's class.
 */
export { CheckpointCorruptError } from '@lmkit/gpt-model';

/** A checkpoint could not be written (a full disk, say); its temporary folder was removed. */
export class CheckpointWriteError extends TrainerError {}

/** The loss or gradient norm became NaN or infinite; the last good checkpoint is kept. */
export class TrainingDivergedError extends TrainerError {
  constructor(
    message: string,
    /** The 0-based step whose loss or gradient norm was not finite. */
    readonly step: number,
    /** The folder of the last good checkpoint, if one was written. */
    readonly lastCheckpoint: string | undefined,
  ) {
    super(message);
  }
}
