// What can be wrong with a document file or one of its records, as data (`DocumentProblem`) and as
// the error thrown when the caller passes no `onProblem` handler. Packages map the kinds to their
// own reason names (crawler-filters counts them, datasets throws or skips).

import { LmkitError } from '../errors.ts';

/**
 * Record-level kinds leave the rest of the file readable; file-level kinds (`truncated`, `corrupt`,
 * `unreadable`) end that file.
 */
export type DocumentProblemKind =
  | 'invalid-json'
  | 'not-an-object'
  | 'missing-text'
  | 'bad-id'
  | 'bad-metadata'
  | 'record-too-large'
  | 'truncated'
  | 'corrupt'
  | 'unreadable';

export interface DocumentProblem {
  path: string;
  kind: DocumentProblemKind;
  /** 1-based line (JSONL) or row (Parquet); 0 when the problem is the whole file. */
  record: number;
  /** The field at fault (`text`, `id`, `metadata`), `line`, `record` or `file`. */
  field: string;
  /** What is wrong, without the location, e.g. `is missing, expected a string`. */
  detail: string;
  /** The full sentence: location, problem and, where there is one, the fix. */
  message: string;
}

const FILE_LEVEL = new Set<DocumentProblemKind>(['truncated', 'corrupt', 'unreadable']);

/** True for the kinds that end the file (the reader goes on with the next path). */
export function isFileProblem(kind: DocumentProblemKind): boolean {
  return FILE_LEVEL.has(kind);
}

/** A document file or record that could not be read; carries the problem's fields. */
export class DocumentFileError extends LmkitError {
  readonly path: string;
  readonly kind: DocumentProblemKind;
  readonly record: number;
  readonly field: string;
  readonly detail: string;

  constructor(
    problem: Pick<DocumentProblem, 'path' | 'kind' | 'message'> & Partial<DocumentProblem>,
    options: { cause?: unknown } = {},
  ) {
    super(problem.message, options);
    this.path = problem.path;
    this.kind = problem.kind;
    this.record = problem.record ?? 0;
    this.field = problem.field ?? 'file';
    this.detail = problem.detail ?? problem.message;
  }

  /** The problem as plain data. */
  problem(): DocumentProblem {
    const { path, kind, record, field, detail, message } = this;
    return { path, kind, record, field, detail, message };
  }
}
