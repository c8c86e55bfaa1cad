// What the training loop reports while it runs: one event per optimizer step, evaluation, sample
// and checkpoint. The metrics file, the log lines and a CLI's progress display all consume these
// (see report/); `onMetrics` and `log` on the loop's options remain for earlier callers.
import type { EvalMetrics, TrainStepMetrics } from '../report/step-log.ts';

export type TrainingEvent =
  | { type: 'step'; metrics: TrainStepMetrics }
  | { type: 'eval'; metrics: EvalMetrics }
  | { type: 'sample'; step: number; text: string }
  | { type: 'checkpoint'; step: number; dir: string }
  | { type: 'resume'; step: number; dir: string }
  | { type: 'stop'; step: number; reason: 'budget' | 'signal'; checkpoint: string | undefined };

/** A listener; the loop awaits nothing it returns. */
export type TrainingEventListener = (event: TrainingEvent) => void;

/** The log line of an event, as the loop prints it (undefined: the event prints nothing). */
export function eventLine(
  event: TrainingEvent,
  format: { step(m: TrainStepMetrics): string; eval(m: EvalMetrics): string },
): string | undefined {
  switch (event.type) {
    case 'step':
      return format.step(event.metrics);
    case 'eval':
      return format.eval(event.metrics);
    case 'sample':
      return `sample step ${event.step}: ${JSON.stringify(event.text)}`;
    case 'checkpoint':
      return `checkpoint step ${event.step} → ${event.dir}`;
    case 'resume':
      return `resumed from ${event.dir} at step ${event.step}`;
    case 'stop':
      return event.reason === 'signal'
        ? `stopped by signal at step ${event.step}; checkpoint ${event.checkpoint}`
        : undefined;
  }
}
