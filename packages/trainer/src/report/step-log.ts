// One log line per optimizer step in llm.c's shape, and the JSONL metrics file beside it.
// The JSONL file is append-only; on resume, lines past the checkpoint's step are dropped.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../checkpoint/durable-file.ts';

export interface TrainStepMetrics {
  type: 'train';
  /** 1-based count of optimizer steps completed. */
  step: number;
  totalSteps: number;
  loss: number;
  learningRate: number;
  gradNorm: number;
  durationMs: number;
  tokensPerSecond: number;
  /** Model FLOPs utilisation as a fraction of the configured peak. */
  mfu: number;
  tokensSeen: number;
  /** Training wall-clock so far (excludes evaluation and checkpoints). */
  trainingTimeMs: number;
  /** Wall-clock since the run started, everything included (across resumes). */
  wallTimeMs: number;
  /** Objective-specific numbers (DPO: chosenReward, rejectedReward, accuracy, margin). */
  extra?: Record<string, number>;
}

export interface EvalMetrics {
  type: 'val';
  step: number;
  loss: number;
  /** Bits per byte of the validation text, when the byte count is known. */
  bitsPerByte?: number;
  tokensSeen: number;
  trainingTimeMs: number;
  wallTimeMs: number;
  /** SFT: share of sampled replies that ended with the stop token within the budget. */
  stopRate?: number;
  /** Objective-specific numbers (DPO: held-out accuracy, margin). */
  extra?: Record<string, number>;
}

export type MetricsRecord = TrainStepMetrics | EvalMetrics;

/**
 * `step    7/2000 | loss 3.912345 | lr 6.00e-04 | norm 1.2345 | 312.50 ms | 1.2% MFU | 2458 tok/s`
 */
export function formatStepLine(m: TrainStepMetrics): string {
  const width = Number.isFinite(m.totalSteps) ? String(m.totalSteps).length : 0;
  return [
    `step ${String(m.step).padStart(width)}/${Number.isFinite(m.totalSteps) ? m.totalSteps : '?'}`,
    `loss ${m.loss.toFixed(6)}`,
    `lr ${m.learningRate.toExponential(2)}`,
    `norm ${m.gradNorm.toFixed(4)}`,
    `${m.durationMs.toFixed(2)} ms`,
    `${(m.mfu * 100).toFixed(1)}% MFU`,
    `${Math.round(m.tokensPerSecond)} tok/s`,
  ].join(' | ');
}

/** `val step 250 | loss 2.0123 | 1.2345 bpb` */
export function formatEvalLine(m: EvalMetrics): string {
  const parts = [`val step ${m.step}`, `loss ${m.loss.toFixed(4)}`];
  if (m.bitsPerByte !== undefined) parts.push(`${m.bitsPerByte.toFixed(4)} bpb`);
  if (m.stopRate !== undefined) parts.push(`${(m.stopRate * 100).toFixed(0)}% replies ended`);
  return parts.join(' | ');
}

/** Appends records to a JSONL file. */
export class MetricsLog {
  constructor(readonly path: string) {}

  append(record: MetricsRecord): void {
    appendFileSync(this.path, `${JSON.stringify(record)}\n`);
  }

  /** Every record in the file (a torn last line from a killed process is skipped). */
  read(): MetricsRecord[] {
    return readMetrics(this.path);
  }

  /** Keeps only records up to `step` (after a resume from that step). */
  truncateAfter(step: number): void {
    if (!existsSync(this.path)) return;
    const kept = this.read().filter((record) => record.step <= step);
    writeFileAtomic(this.path, kept.map((record) => `${JSON.stringify(record)}\n`).join(''));
  }
}

/** Parses a metrics JSONL file; a missing file is empty. */
export function readMetrics(path: string): MetricsRecord[] {
  if (!existsSync(path)) return [];
  const out: MetricsRecord[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      // a line cut short by SIGKILL; the resumed run writes it again
    }
  }
  return out;
}
