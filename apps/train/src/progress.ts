// Training progress for lmkit-train: cli-kit's one progress display counting optimizer steps,
// fed by the trainer's metrics; the trainer's log lines print above it (stdout, as before).
import { createProgress } from '@lmkit/cli-kit';
import type { MetricsRecord } from '@lmkit/trainer';

export function trainingProgress(stream: NodeJS.WriteStream = process.stdout) {
  const progress = createProgress({ unit: 'steps', stream, plainLines: false });
  let startStep: number | undefined;
  return {
    log: (line: string) => progress.log(line),
    onMetrics(record: MetricsRecord) {
      if (record.type !== 'train') return;
      startStep ??= record.step - 1;
      const total = Number.isFinite(record.totalSteps) ? record.totalSteps : undefined;
      progress.update(record.step, `loss ${record.loss.toFixed(4)}`, { total, start: startStep });
    },
    finish: () => progress.finish(),
  };
}
