// The run-folder options every trainer entry point (pretrain, SFT, DPO, reward) shares, and how
// they map onto the loop's options: where the run lives, resuming, the tokenizer copy, stopping
// and the log/metrics/event listeners.
import { join } from 'node:path';
import { latestCheckpointOrThrow } from '../checkpoint/resume.ts';
import type { MetricsRecord } from '../report/step-log.ts';
import type { TrainingEventListener } from './events.ts';
import type { TrainingLoopOptions } from './train-loop.ts';

export interface RunFolderOptions {
  /** Run folder: metrics.jsonl, loss.svg, loss.png, checkpoints/. */
  outDir: string;
  /** true: continue from the newest checkpoint in outDir; a path: from that checkpoint folder. */
  resume?: boolean | string;
  /** Copied into each checkpoint as tokenizer.json. */
  tokenizerJson?: unknown;
  signal?: AbortSignal;
  log?: (line: string) => void;
  onMetrics?: (record: MetricsRecord) => void;
  /** Every step, evaluation, sample and checkpoint (see TrainingEvent). */
  onEvent?: TrainingEventListener;
}

/** The checkpoint folder a `resume` option points to, if any. */
export function resolveResume(
  resume: boolean | string | undefined,
  outDir: string,
): string | undefined {
  if (resume === undefined || resume === false) return undefined;
  if (resume === true) return latestCheckpointOrThrow(join(outDir, 'checkpoints'));
  return resume;
}

/** The loop's run-folder options from an entry point's options (`resume` resolved to a folder). */
export function runFolderOptions(
  options: RunFolderOptions,
): Pick<
  TrainingLoopOptions,
  'outDir' | 'resumeFrom' | 'tokenizerJson' | 'signal' | 'log' | 'onMetrics' | 'onEvent'
> {
  return {
    outDir: options.outDir,
    resumeFrom: resolveResume(options.resume, options.outDir),
    tokenizerJson: options.tokenizerJson,
    signal: options.signal,
    log: options.log,
    onMetrics: options.onMetrics,
    onEvent: options.onEvent,
  };
}
