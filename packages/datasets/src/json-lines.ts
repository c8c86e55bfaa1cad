// JSON Lines records with file and line attached: broken JSON becomes an InvalidRecordError naming
// file and line, thrown, or (with `skipInvalid`) counted in the report and skipped. Blank lines are
// not records and are passed over.

import { readFileLines } from '@lmkit/core/documents';
import { countSkip, InvalidRecordError, type LoadReport } from './errors.ts';

export interface InvalidInputOptions {
  /** Skip bad records and count them in `report.skipped[reason]` instead of throwing; default false. */
  skipInvalid?: boolean;
  /** Filled in while reading: records read, items yielded, skips by reason. */
  report?: LoadReport;
}

export interface JsonRecord {
  value: unknown;
  lineNumber: number;
}

export async function* readJsonLines(
  options: { path: string } & InvalidInputOptions,
): AsyncIterable<JsonRecord> {
  for await (const line of readFileLines(options.path)) {
    if (line.text.trim() === '') continue;
    if (options.report) options.report.records++;
    let value: unknown;
    try {
      value = JSON.parse(line.text);
    } catch (error) {
      rejectRecord(
        new InvalidRecordError(
          options.path,
          line.lineNumber,
          'line',
          `is not valid JSON (${(error as Error).message}); each line must be one JSON object`,
          'broken JSON',
        ),
        options,
      );
      continue;
    }
    yield { value, lineNumber: line.lineNumber };
  }
}

/** Throws the error, or with `skipInvalid` counts its reason and returns. */
export function rejectRecord(error: InvalidRecordError, options: InvalidInputOptions): void {
  if (!options.skipInvalid) throw error;
  countSkip(options.report, error.reason);
}
