// The one progress display of the lmkit apps: `label [#####-----] 25/40 steps 62% · 12s elapsed ·
// ETA 8s · detail`, counting the unit it names. Without a total it shows the count and the rate
// (`1200 documents · 85.3 documents/s`). Redrawn in place on a terminal; on a pipe (logs, CI) a
// plain line at most every `plainIntervalMs`, and always the last one.

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ProgressOptions {
  /** What is counted, plural (`steps`, `merges`, `documents`). */
  unit: string;
  /** Units expected; undefined when unknown (no bar, a rate instead). */
  total?: number;
  /** Printed first on each line, e.g. `[pretrain]`. */
  label?: string;
  /** Default process.stderr. */
  stream?: ProgressStream;
  /** Milliseconds clock; injectable for tests. */
  now?: () => number;
  /** Minimum time between plain lines when the stream is not a terminal; default 5000. */
  plainIntervalMs?: number;
  /** Print progress lines when the stream is not a terminal (default true); false: logs only. */
  plainLines?: boolean;
  /** Bar width in characters; default 24. */
  width?: number;
}

/** `formatDuration(83_000)` → `1m23s`; `formatDuration(3_700_000)` → `1h01m`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const seconds = Math.round(ms / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h) return `${h}h${String(m).padStart(2, '0')}m`;
  return m ? `${m}m${String(s).padStart(2, '0')}s` : `${s}s`;
}

export interface Progress {
  /**
   * `done` units so far; `detail` is appended (loss, kept count). `fraction` overrides done/total
   * for the bar and ETA when another budget (minutes) ends the work first. `start`: units done
   * before this run (a resumed run), left out of the ETA's rate.
   */
  update(
    done: number,
    detail?: string,
    options?: { total?: number; fraction?: number; start?: number },
  ): void;
  /** A line of its own, above the bar. */
  log(line: string): void;
  /** Ends the display: the last state on a pipe, then `summary` if given. */
  finish(summary?: string): void;
  readonly elapsedMs: number;
}

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? (() => performance.now());
  const interval = options.plainIntervalMs ?? 5000;
  const width = options.width ?? 24;
  const prefix = options.label ? `${options.label} ` : '';
  const started = now();
  let total = options.total;
  let lastPlain = Number.NEGATIVE_INFINITY;
  let pending = '';
  let drawn = false;
  let bar = '';
  const clear = () => {
    if (drawn) stream.write('\r\x1b[2K');
    drawn = false;
  };
  const render = (done: number, detail: string, fraction?: number, start = 0) => {
    const elapsed = now() - started;
    const parts: string[] = [];
    if (total !== undefined && Number.isFinite(total) && total > 0) {
      const f = Math.min(1, Math.max(0, fraction ?? done / total));
      const filled = Math.round(f * width);
      const f0 = Math.min(1, Math.max(0, start / total));
      const eta = f > f0 ? (elapsed * (1 - f)) / (f - f0) : Number.NaN;
      parts.push(
        `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${options.unit} ${Math.floor(f * 100)}%`,
        `${formatDuration(elapsed)} elapsed`,
        `ETA ${formatDuration(eta)}`,
      );
    } else {
      const rate = done / Math.max(elapsed / 1000, 1e-3);
      parts.push(
        `${done} ${options.unit}`,
        `${rate.toFixed(1)} ${options.unit}/s`,
        `${formatDuration(elapsed)} elapsed`,
      );
    }
    if (detail) parts.push(detail);
    return `${prefix}${parts.join(' · ')}`;
  };
  return {
    update(done, detail = '', extra = {}) {
      if (extra.total !== undefined) total = extra.total;
      const line = render(done, detail, extra.fraction, extra.start);
      if (stream.isTTY) {
        stream.write(`\r\x1b[2K${line}`);
        drawn = true;
        bar = line;
        return;
      }
      if (options.plainLines === false) return;
      const finished = total !== undefined && done >= total;
      if (now() - lastPlain >= interval || finished) {
        stream.write(`${line}\n`);
        lastPlain = now();
        pending = '';
      } else pending = line;
    },
    log(line) {
      const redraw = drawn;
      clear();
      stream.write(`${prefix}${line}\n`);
      if (redraw) {
        stream.write(bar);
        drawn = true;
      }
    },
    finish(summary) {
      if (drawn) stream.write('\n');
      else if (pending) stream.write(`${pending}\n`);
      drawn = false;
      pending = '';
      if (summary) stream.write(`${prefix}${summary}\n`);
    },
    get elapsedMs() {
      return now() - started;
    },
  };
}
