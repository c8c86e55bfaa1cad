import { describe, expect, it } from 'vitest';
import { createProgress, progressBar } from './progress.ts';
import { formatEvalLine, formatStepLine, type TrainStepMetrics } from './step-log.ts';

const metrics: TrainStepMetrics = {
  type: 'train',
  step: 7,
  totalSteps: 2000,
  loss: 3.9123456,
  learningRate: 6e-4,
  gradNorm: 1.23456,
  durationMs: 312.5,
  tokensPerSecond: 2457.6,
  mfu: 0.0123,
  tokensSeen: 5376,
  trainingTimeMs: 2000,
  wallTimeMs: 2500,
};

describe('step lines', () => {
  it('formats a step the way llm.c does, and evaluations with bits per byte', () => {
    expect(formatStepLine(metrics)).toBe(
      'step    7/2000 | loss 3.912346 | lr 6.00e-4 | norm 1.2346 | 312.50 ms | 1.2% MFU | 2458 tok/s',
    );
    expect(formatStepLine({ ...metrics, totalSteps: Number.POSITIVE_INFINITY })).toMatch(
      /^step 7\/\? \|/,
    );
    expect(
      formatEvalLine({
        type: 'val',
        step: 250,
        loss: 2.01234,
        bitsPerByte: 1.5,
        tokensSeen: 0,
        trainingTimeMs: 0,
        wallTimeMs: 0,
      }),
    ).toBe('val step 250 | loss 2.0123 | 1.5000 bpb');
  });
});

describe('progress', () => {
  it('draws a bar with ETA on a TTY and plain lines elsewhere', () => {
    expect(progressBar({ step: 5, totalSteps: 10, width: 10 })).toBe('[#####-----]');
    let clock = 0;
    const tty: string[] = [];
    const onTty = createProgress({
      stream: { isTTY: true, write: (t) => tty.push(t) },
      now: () => clock,
    });
    clock = 10_000;
    onTty.onMetrics({ ...metrics, step: 1, totalSteps: 10 });
    onTty.log('val step 1 | loss 2.0000');
    onTty.finish();
    const screen = tty.join('');
    expect(screen).toContain(
      '[###---------------------------] 1/10 loss 3.9123 | 10s elapsed, ETA 1m30s',
    );
    expect(screen).toContain('\r\x1b[2Kval step 1 | loss 2.0000\n');
    const plain: string[] = [];
    const onFile = createProgress({ stream: { write: (t) => plain.push(t) } });
    onFile.onMetrics(metrics);
    onFile.log('step line');
    onFile.finish();
    expect(plain).toEqual(['step line\n']);
  });
});
