// What a stage was made from: the SHA-256 of every file it read or wrote, keyed by a path relative
// to the run folder (or to the repository, for data that ships with it), so a copied or moved run
// folder compares equal to itself. A known fingerprint with the same size and mtime is reused
// instead of hashing the file again; a copy (new mtimes) is hashed once and compared by content.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';

export interface FileFingerprint {
  /** Relative to the run folder, or `repo:` + a path relative to the repository root. */
  path: string;
  bytes: number;
  mtimeMs: number;
  sha256: string;
}

export interface FingerprintRoots {
  /** The run folder: paths inside it are recorded relative to it. */
  runDir: string;
  /** Files outside the run folder but inside this one are recorded as `repo:<relative path>`. */
  repoDir: string;
}

const repoPrefix = 'repo:';

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

function inside(parent: string, path: string): string | undefined {
  const rel = relative(parent, path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? undefined : toPosix(rel);
}

/** The recorded key of an absolute path. */
export function fingerprintKey(roots: FingerprintRoots, path: string): string {
  const inRun = inside(roots.runDir, path);
  if (inRun !== undefined) return inRun;
  const inRepo = inside(roots.repoDir, path);
  return inRepo !== undefined ? `${repoPrefix}${inRepo}` : toPosix(path);
}

/** The absolute path of a recorded key. */
export function fingerprintPath(roots: FingerprintRoots, key: string): string {
  if (key.startsWith(repoPrefix)) return join(roots.repoDir, key.slice(repoPrefix.length));
  return isAbsolute(key) ? key : join(roots.runDir, key);
}

function sha256Of(path: string): string {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(1 << 22);
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const read = readSync(fd, buffer, 0, buffer.length, null);
      if (read === 0) break;
      hash.update(buffer.subarray(0, read));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

function listFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => listFiles(join(path, entry.name)));
}

/**
 * Fingerprints files and folders (every file under a folder, in name order). A missing path is
 * recorded with `sha256: 'missing'`, so that it compares unequal to any file.
 *
 * @example fingerprintFiles({ runDir, repoDir }, [join(runDir, 'tokenizer/tokenizer.json')])
 *   // → [{ path: 'tokenizer/tokenizer.json', bytes: 8123, mtimeMs: …, sha256: '9f2c…' }]
 */
export function fingerprintFiles(
  roots: FingerprintRoots,
  paths: readonly string[],
  known: readonly FileFingerprint[] = [],
): FileFingerprint[] {
  const cache = new Map(known.map((f) => [f.path, f]));
  const out: FileFingerprint[] = [];
  for (const path of paths) {
    if (!existsSync(path)) {
      out.push({ path: fingerprintKey(roots, path), bytes: 0, mtimeMs: 0, sha256: 'missing' });
      continue;
    }
    for (const file of listFiles(path)) {
      const key = fingerprintKey(roots, file);
      const { size, mtimeMs } = statSync(file);
      const cached = cache.get(key);
      const sha256 =
        cached && cached.bytes === size && cached.mtimeMs === mtimeMs
          ? cached.sha256
          : sha256Of(file);
      out.push({ path: key, bytes: size, mtimeMs, sha256 });
    }
  }
  return out;
}

/** The first difference between two fingerprint lists, in words; undefined when they agree. */
export function fingerprintDifference(
  recorded: readonly FileFingerprint[],
  current: readonly FileFingerprint[],
): string | undefined {
  const before = new Map(recorded.map((f) => [f.path, f.sha256]));
  const now = new Map(current.map((f) => [f.path, f.sha256]));
  for (const [path, sha256] of now) {
    if (sha256 === 'missing') return `${path} is missing`;
    if (!before.has(path)) return `${path} is new`;
    if (before.get(path) !== sha256) return `${path} changed`;
  }
  for (const path of before.keys()) if (!now.has(path)) return `${path} is no longer read`;
  return undefined;
}
