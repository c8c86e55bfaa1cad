// Durable file writes: data reaches the disk (fsync) before a rename makes it visible, so a crash
// leaves either the old file or the new one, never half of one.
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** Writes `bytes` to `path` and fsyncs it before returning. */
export function writeFileSynced(path: string, bytes: Uint8Array | string): void {
  const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  const fd = openSync(path, 'w');
  try {
    let written = 0;
    while (written < data.length) {
      written += writeSync(fd, data, written, data.length - written);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** fsyncs an existing file or folder (a folder's fsync makes renames inside it durable). */
export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Atomic replace: write `path.tmp-<pid>`, fsync, rename over `path`, fsync the folder. */
export function writeFileAtomic(path: string, bytes: Uint8Array | string): void {
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSynced(temporary, bytes);
  renameSync(temporary, path);
  fsyncPath(dirname(path));
}
