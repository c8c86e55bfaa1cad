// Formats a run's counts as a Markdown table: one row per stage and reason, so the columns can be
// added up by eye (`read = kept + dropped + errored` per stage).

import type { RunStats } from './pipeline.ts';

/** The summary table the CLI prints at the end of a run. */
export function formatStatsTable(stats: RunStats): string {
  const rows: string[][] = [['stage', 'read', 'kept', 'dropped', 'errored', 'reason', 'count']];
  for (const s of stats.stages) {
    const dropped = Object.values(s.dropped).reduce((a, b) => a + b, 0);
    const errored = Object.values(s.errored).reduce((a, b) => a + b, 0);
    rows.push([s.stage, String(s.read), String(s.kept), String(dropped), String(errored), '', '']);
    const reasons = [
      ...Object.entries(s.dropped).map(([r, n]) => [`dropped: ${r}`, n] as const),
      ...Object.entries(s.errored).map(([r, n]) => [`error: ${r}`, n] as const),
    ].sort((a, b) => b[1] - a[1]);
    for (const [reason, count] of reasons) rows.push(['', '', '', '', '', reason, String(count)]);
  }
  rows.push([
    'total',
    String(stats.read),
    String(stats.kept),
    String(stats.dropped),
    String(stats.errored),
    '',
    '',
  ]);
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [
    line(rows[0]),
    `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`,
    ...rows.slice(1).map(line),
  ].join('\n');
}
