// The one error base class of @lmkit/trainer, and the specific failures callers may catch.
// Every message names the value, the limit and the fix.

/** Base class of every error thrown by @lmkit/trainer. */
export class TrainerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A training or SFT config that cannot run (bad field, T over the block size, vocab mismatch). */
export class TrainerConfigError extends TrainerError {}

/** A checkpoint folder whose manifest, checksums or sizes do not match its files. */
export class CheckpointCorruptError extends TrainerError {}

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
