// A one-line progress display on stderr: documents read, kept, documents per second. Redrawn in
// place on a terminal, printed every few seconds otherwise (logs, CI).

export interface ProgressOptions {
  stream?: NodeJS.WriteStream;
  /** Minimum time between lines when stderr is not a terminal. Default 5000 ms. */
  intervalMs?: number;
}

export function progressReporter(options: ProgressOptions = {}) {
  const stream = options.stream ?? process.stderr;
  const intervalMs = options.intervalMs ?? 5000;
  let lastPrintMs = Number.NEGATIVE_INFINITY;
  let pending = '';
  return {
    update(progress: { read: number; kept: number; elapsedMs: number }): void {
      const rate = progress.read / Math.max(progress.elapsedMs / 1000, 1e-9);
      const line = `read ${progress.read}  kept ${progress.kept}  ${rate.toFixed(1)} docs/s  ${(progress.elapsedMs / 1000).toFixed(1)} s`;
      if (stream.isTTY) stream.write(`\r\x1b[2K${line}`);
      else if (progress.elapsedMs - lastPrintMs >= intervalMs) {
        lastPrintMs = progress.elapsedMs;
        stream.write(`${line}\n`);
        pending = '';
      } else pending = line;
    },
    /** Ends the display: a newline on a terminal, the last unprinted line otherwise. */
    finish(): void {
      if (stream.isTTY) stream.write('\n');
      else if (pending) stream.write(`${pending}\n`);
    },
  };
}
