// Expands the CLI's `--input` patterns: `*` and `?` in the file name part (`crawl/*.warc.gz`);
// folders are not globbed. Relative paths resolve against the caller's working directory.

import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';

function patternToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/gu, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${escaped}$`, 'u');
}

/** Files matching the patterns, sorted within each pattern, without duplicates. */
export function expandInputs(patterns: readonly string[], cwd: string): string[] {
  const out: string[] = [];
  for (const pattern of patterns) {
    const absolute = isAbsolute(pattern) ? pattern : resolve(cwd, pattern);
    const name = basename(absolute);
    const dir = dirname(absolute);
    if (/[*?]/u.test(dir))
      throw new Error(
        `--input "${pattern}": wildcards are supported in the file name only; list folders explicitly`,
      );
    if (!/[*?]/u.test(name)) {
      if (statSync(absolute, { throwIfNoEntry: false })?.isFile()) out.push(absolute);
      else
        throw new Error(
          `--input "${pattern}": no such file; check the path (relative paths start at ${cwd})`,
        );
      continue;
    }
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
      throw new Error(`--input "${pattern}": folder ${dir} does not exist; check the path`);
    }
    const regex = patternToRegExp(name);
    const matches = readdirSync(dir)
      .filter((entry) => regex.test(entry))
      .sort()
      .map((entry) => join(dir, entry));
    if (matches.length === 0) throw new Error(`--input "${pattern}": no files match in ${dir}`);
    out.push(...matches);
  }
  return [...new Set(out)];
}
