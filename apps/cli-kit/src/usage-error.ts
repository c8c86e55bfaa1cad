// The error a command line raises for a mistake in its own arguments: the app prints the message
// (no stack trace) and exits 2, as POSIX utilities and node's own CLI do for usage errors.
import { LmkitError } from '@lmkit/core';

/** Exit status of a usage error (a wrong flag or value); 1 is kept for failures of the work. */
export const USAGE_EXIT_CODE = 2;

export class UsageError extends LmkitError {
  readonly exitCode = USAGE_EXIT_CODE;
  /** The subcommand it came from (set by `dispatch`), so the hint names that command's --help. */
  command?: string;
}
