// Progress of `lmkit-fineweb run` on stderr through cli-kit's one progress display: documents
// read (the unit it counts), documents per second, and how many were kept. Redrawn in place on a
// terminal, a line every few seconds otherwise (logs, CI).
import { createProgress, type ProgressStream } from '@lmkit/cli-kit';

export interface ProgressOptions {
  stream?: ProgressStream;
  /** Minimum time between lines when stderr is not a terminal. Default 5000 ms. */
  intervalMs?: number;
}

export function progressReporter(options: ProgressOptions = {}) {
  const progress = createProgress({
    unit: 'documents',
    label: 'read',
    stream: options.stream ?? process.stderr,
    plainIntervalMs: options.intervalMs ?? 5000,
  });
  return {
    update(counts: { read: number; kept: number }): void {
      progress.update(counts.read, `kept ${counts.kept}`);
    },
    /** Ends the display: a newline on a terminal, the last unprinted line otherwise. */
    finish: () => progress.finish(),
  };
}
