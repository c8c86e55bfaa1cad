// File-system errors as one sentence with the fix, instead of a raw `ENOENT: ... open` stack:
// what was tried, on which path, and what to do. Anything else returns undefined.

const fixes: Record<string, (path: string, syscall: string) => string> = {
  ENOENT: (path, syscall) =>
    syscall === 'mkdir'
      ? `cannot create ${path}: a folder above it does not exist or is not writable; create it or pick another output`
      : syscall === 'scandir'
        ? `folder ${path} does not exist; check the path (a glob matches files in an existing folder)`
        : `${path} does not exist; check the path (relative paths start at the directory you ran the command in)`,
  EACCES: (path) => `no permission to use ${path}; pick a writable location or fix its permissions`,
  EPERM: (path) => `not permitted to use ${path}; pick a writable location or fix its permissions`,
  EROFS: (path) => `${path} is on a read-only file system; write the output somewhere else`,
  EEXIST: (path) =>
    `${path} already exists and is not a folder; pass a folder path, or remove or rename that file`,
  ENOTDIR: (path) =>
    `${path} has a file where a folder is expected; pass a folder path, or move that file`,
  EISDIR: (path) => `${path} is a folder where a file is expected; pass a file path`,
  ENOSPC: (path) =>
    `no space left on the device while writing ${path}; free some space and run again`,
  EMFILE: () => 'too many open files; raise the limit (ulimit -n) or give fewer inputs at once',
};

/** One sentence for a Node system error (has `code`, `path`, `syscall`), else undefined. */
export function describeSystemError(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, path, syscall } = error as { code?: unknown; path?: unknown; syscall?: unknown };
  if (typeof code !== 'string' || !(code in fixes)) return undefined;
  return fixes[code](typeof path === 'string' ? path : '(unknown path)', String(syscall ?? ''));
}
