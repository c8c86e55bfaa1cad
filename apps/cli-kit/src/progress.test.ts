import { describe, expect, it } from 'vitest';
import { createProgress, formatDuration } from './progress.ts';

function sink(isTTY: boolean) {
  const lines: string[] = [];
  return { stream: { isTTY, write: (text: string) => lines.push(text) }, lines };
}

describe('createProgress', () => {
  it('counts the unit it names, with the bar, percentage and ETA from the clock', () => {
    const { stream, lines } = sink(false);
    let now = 0;
    const progress = createProgress({
      unit: 'steps',
      total: 40,
      stream,
      now: () => now,
      plainIntervalMs: 0,
      width: 10,
    });
    now = 10_000;
    progress.update(10, 'loss 2.500');
    expect(lines.at(-1)).toBe(
      '[###-------] 10/40 steps 25% · 10s elapsed · ETA 30s · loss 2.500\n',
    );
    now = 20_000;
    progress.update(30, '', { start: 20 });
    expect(lines.at(-1)).toMatch(/^\[########--\] 30\/40 steps 75% · 20s elapsed · ETA 20s\n$/);
  });

  it('shows a rate when the total is unknown, and prints plain lines at most every interval', () => {
    const { stream, lines } = sink(false);
    let now = 0;
    const progress = createProgress({ unit: 'documents', label: '[run]', stream, now: () => now });
    now = 2000;
    progress.update(100, 'kept 40');
    now = 3000;
    progress.update(150, 'kept 60');
    expect(lines).toEqual(['[run] 100 documents · 50.0 documents/s · 2s elapsed · kept 40\n']);
    progress.finish('done');
    expect(lines.slice(1)).toEqual([
      '[run] 150 documents · 50.0 documents/s · 3s elapsed · kept 60\n',
      '[run] done\n',
    ]);
  });

  it('redraws one line on a terminal and keeps log lines above it', () => {
    const { stream, lines } = sink(true);
    const progress = createProgress({ unit: 'merges', total: 4, stream, now: () => 0, width: 4 });
    progress.update(2);
    progress.log('note');
    progress.finish();
    expect(lines).toEqual([
      '\r\x1b[2K[##--] 2/4 merges 50% · 0s elapsed · ETA 0s',
      '\r\x1b[2K',
      'note\n',
      '[##--] 2/4 merges 50% · 0s elapsed · ETA 0s',
      '\n',
    ]);
  });

  it('formats durations', () => {
    expect([formatDuration(83_000), formatDuration(3_700_000), formatDuration(Number.NaN)]).toEqual(
      ['1m23s', '1h01m', '?'],
    );
  });
});
