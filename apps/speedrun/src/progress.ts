// Progress display for the speedrun's stages: cli-kit's one progress display with the stage as
// its label, counting the unit each stage names (steps, documents); plain lines at most every few
// seconds when stderr is not a terminal.
import { createProgress, formatDuration, type Progress, type ProgressStream } from '@lmkit/cli-kit';

export { formatDuration };

export interface ProgressOptions {
  /** Where to write; default process.stderr. */
  stream?: ProgressStream;
  /** Clock in milliseconds; injectable for tests. */
  now?: () => number;
  /** Minimum milliseconds between plain (non-terminal) lines. Default 5000. */
  plainIntervalMs?: number;
}

export class StageProgress {
  readonly #label: string;
  readonly #options: ProgressOptions;
  readonly #now: () => number;
  readonly #startedMs: number;
  #display: Progress | undefined;
  #unit = 'steps';

  constructor(label: string, options: ProgressOptions = {}) {
    this.#label = label;
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.#startedMs = this.#now();
  }

  get elapsedMs() {
    return this.#now() - this.#startedMs;
  }

  #progress(unit: string): Progress {
    if (!this.#display || unit !== this.#unit) {
      this.#unit = unit;
      this.#display = createProgress({
        unit,
        label: this.#label,
        stream: this.#options.stream,
        now: this.#options.now,
        plainIntervalMs: this.#options.plainIntervalMs,
      });
    }
    return this.#display;
  }

  /**
   * Reports `done` of `total` units (default unit: steps); `detail` is appended (loss, tokens/s).
   * `fraction` overrides done/total for the bar and ETA when a time budget ends the stage first.
   */
  update(
    done: number,
    total: number,
    detail = '',
    options: { unit?: string; fraction?: number } = {},
  ) {
    this.#progress(options.unit ?? this.#unit).update(done, detail, {
      total,
      fraction: options.fraction,
    });
  }

  /** A message on its own line (keeps the bar intact on a terminal). */
  log(message: string) {
    this.#progress(this.#unit).log(message);
  }

  finish(summary: string) {
    this.#progress(this.#unit).finish(`done in ${formatDuration(this.elapsedMs)}: ${summary}`);
  }
}
