// Up-front checks of the paths a command was given, so a missing input or an unusable output is
// one sentence naming the flag and the fix before any work starts (instead of ENOENT, EEXIST or
// "ENOENT mkdir" from deep inside a run).
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './usage-error.ts';

function statOf(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** Throws unless `path` is an existing file (or folder, with `kind: 'folder'`) for `--flag`. */
export function checkInput(flagName: string, path: string, kind: 'file' | 'folder' = 'file'): void {
  const stat = statOf(path);
  if (!stat) {
    const parent = statOf(dirname(resolve(path)));
    throw new UsageError(
      parent
        ? `${flagName} ${path}: no such ${kind}; check the name`
        : `${flagName} ${path}: folder ${dirname(resolve(path))} does not exist; check the path`,
    );
  }
  if (kind === 'file' && stat.isDirectory()) {
    throw new UsageError(`${flagName} ${path} is a folder; give a file`);
  }
  if (kind === 'folder' && !stat.isDirectory()) {
    throw new UsageError(`${flagName} ${path} is a file; give a folder`);
  }
}

/**
 * Throws unless `path` can be (or already is) a writable folder: not a file, below a folder
 * (not a file) that this process may write to.
 */
export function checkOutputFolder(
  flagName: string,
  path: string,
  options: { access?: (path: string, mode: number) => void } = {},
): void {
  const full = resolve(path);
  const stat = statOf(full);
  if (stat && !stat.isDirectory()) {
    throw new UsageError(
      `${flagName} ${path} is a file, not a folder; give a folder path (or move the file away)`,
    );
  }
  let existing = full;
  while (!statOf(existing)) existing = dirname(existing);
  if (!statOf(existing)!.isDirectory()) {
    throw new UsageError(
      `${flagName} ${path}: ${existing} is a file, so no folder can be made below it; give another path`,
    );
  }
  try {
    (options.access ?? accessSync)(existing, constants.W_OK | constants.X_OK);
  } catch {
    throw new UsageError(
      `${flagName} ${path}: ${existing} is not writable (read-only or no permission); give a folder you can write to`,
    );
  }
}

/** Like checkOutputFolder for an output file: its folder must be creatable and writable. */
export function checkOutputFile(flagName: string, path: string): void {
  const stat = statOf(path);
  if (stat?.isDirectory())
    throw new UsageError(`${flagName} ${path} is a folder; give a file path`);
  checkOutputFolder(flagName, dirname(resolve(path)));
}
