// Progress display for the speedrun: one line per stage with a bar, elapsed time and ETA.
// Redraws in place on a terminal; prints plain lines (at most every few seconds) otherwise.

export interface ProgressOptions {
  /** Where to write; default process.stderr. */
  stream?: NodeJS.WriteStream | { write(text: string): boolean; isTTY?: boolean };
  /** Clock in milliseconds; injectable for tests. */
  now?: () => number;
  /** Minimum milliseconds between plain (non-terminal) lines. Default 5000. */
  plainIntervalMs?: number;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const seconds = Math.round(ms / 1000);
  const minutes = Math.floor(seconds / 60);
  return minutes > 0 ? `${minutes}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}

export class StageProgress {
  readonly #stream: NonNullable<ProgressOptions['stream']>;
  readonly #now: () => number;
  readonly #plainIntervalMs: number;
  readonly #label: string;
  readonly #startedMs: number;
  #lastPlainMs = Number.NEGATIVE_INFINITY;
  #drawn = false;

  constructor(label: string, options: ProgressOptions = {}) {
    this.#stream = options.stream ?? process.stderr;
    this.#now = options.now ?? (() => performance.now());
    this.#plainIntervalMs = options.plainIntervalMs ?? 5000;
    this.#label = label;
    this.#startedMs = this.#now();
  }

  get elapsedMs() {
    return this.#now() - this.#startedMs;
  }

  /** Reports `done` of `total` units (e.g. steps); `detail` is appended (loss, tokens/s, ...). */
  update(done: number, total: number, detail = '') {
    const fraction = total > 0 ? Math.min(1, done / total) : 0;
    const elapsedMs = this.elapsedMs;
    const etaMs = fraction > 0 ? (elapsedMs * (1 - fraction)) / fraction : Number.NaN;
    const width = 24;
    const filled = Math.round(fraction * width);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    const line = `${this.#label} ${bar} ${(fraction * 100).toFixed(0).padStart(3)}% ${done}/${total} · ${formatDuration(elapsedMs)} elapsed · ETA ${formatDuration(etaMs)}${detail ? ` · ${detail}` : ''}`;
    if (this.#stream.isTTY) {
      this.#stream.write(`\r\x1b[2K${line}`);
      this.#drawn = true;
    } else if (this.#now() - this.#lastPlainMs >= this.#plainIntervalMs || done >= total) {
      this.#stream.write(`${line}\n`);
      this.#lastPlainMs = this.#now();
    }
  }

  /** A message on its own line (keeps the bar intact on a terminal). */
  log(message: string) {
    if (this.#drawn) this.#stream.write('\r\x1b[2K');
    this.#stream.write(`${this.#label} ${message}\n`);
    this.#drawn = false;
  }

  finish(summary: string) {
    if (this.#drawn) this.#stream.write('\r\x1b[2K');
    this.#stream.write(`${this.#label} done in ${formatDuration(this.elapsedMs)}: ${summary}\n`);
    this.#drawn = false;
  }
}
