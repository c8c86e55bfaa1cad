// Progress for a terminal: a bar with ETA redrawn on the last line, log lines scrolling above it.
// When the stream is not a TTY (a file, CI), every line is printed plainly and no bar is drawn.
import type { TrainingEvent } from '../loop/events.ts';
import type { MetricsRecord } from './step-log.ts';

export interface ProgressOptions {
  /** Where to write; default process.stdout. */
  stream?: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  now?: () => number;
}

function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const seconds = Math.round(ms / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h
    ? `${h}h${String(m).padStart(2, '0')}m`
    : m
      ? `${m}m${String(s).padStart(2, '0')}s`
      : `${s}s`;
}

/** `progressBar({ step: 5, totalSteps: 10, width: 10 })` → `[#####-----]`. */
export function progressBar(options: { step: number; totalSteps: number; width: number }): string {
  const fraction = Number.isFinite(options.totalSteps)
    ? Math.min(1, options.step / options.totalSteps)
    : 0;
  const filled = Math.round(fraction * options.width);
  return `[${'#'.repeat(filled)}${'-'.repeat(options.width - filled)}]`;
}

/** A log function and an event (or metrics) callback to pass to pretrain/sft. */
export function createProgress(options: ProgressOptions = {}) {
  const stream = options.stream ?? process.stdout;
  const now = options.now ?? (() => performance.now());
  const tty = Boolean(stream.isTTY);
  const started = now();
  let startStep: number | undefined;
  let bar = '';
  const clear = () => bar && stream.write('\r\x1b[2K');
  const progress = {
    log(line: string) {
      clear();
      stream.write(`${line}\n`);
      if (bar) stream.write(bar);
    },
    onMetrics(record: MetricsRecord) {
      if (!tty || record.type !== 'train') return;
      startStep ??= record.step - 1;
      const elapsed = now() - started;
      const done = record.step - startStep;
      const etaMs = (elapsed / Math.max(1, done)) * (record.totalSteps - record.step);
      const total = Number.isFinite(record.totalSteps) ? record.totalSteps : '?';
      clear();
      bar = `${progressBar({ step: record.step, totalSteps: record.totalSteps, width: 30 })} ${record.step}/${total} loss ${record.loss.toFixed(4)} | ${formatDuration(elapsed)} elapsed, ETA ${formatDuration(etaMs)}`;
      stream.write(bar);
    },
    /** The loop's events (pass as `onEvent`): a step redraws the bar. */
    onEvent(event: TrainingEvent) {
      if (event.type === 'step') progress.onMetrics(event.metrics);
    },
    /** Ends the bar line (call before exiting). */
    finish() {
      if (bar) stream.write('\n');
      bar = '';
    },
  };
  return progress;
}
