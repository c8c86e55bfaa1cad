// The output folder of `lmkit-fineweb run`, kept honest: an input inside it is refused before
// anything is opened; shards an earlier run of the same task left are removed (and named); this
// run's shards are written into a hidden staging folder and moved into place only when closed,
// so the folder never shows a partial shard under a final name and holds exactly the shards its
// stats list. A SIGKILL leaves only the staging folder, which the next run removes.
import { existsSync, readdirSync, realpathSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';

/** A path with symbolic links resolved as far as it exists (an output may not exist yet). */
function realPath(path: string): string {
  const absolute = resolve(path);
  if (existsSync(absolute)) return realpathSync(absolute);
  const parent = dirname(absolute);
  return parent === absolute ? absolute : join(realPath(parent), basename(absolute));
}

function isInside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith('/'));
}

/** Throws when an input lies in the output folder: writing shards there could overwrite it. */
export function refuseInputsInsideOutput(inputs: readonly string[], output: string): void {
  const folder = realPath(output);
  const inside = inputs.filter((input) => isInside(folder, realPath(input)));
  if (inside.length > 0) {
    throw new Error(
      `--input ${inside[0]}${inside.length > 1 ? ` (and ${inside.length - 1} more)` : ''} lies inside the output folder ${output}, where this run writes its shards; move the inputs out or choose another --output`,
    );
  }
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');

/** The staging folder of a task's shards inside the output folder. */
export function stagingDir(output: string, prefix: string): string {
  return join(output, `.partial-${prefix}`);
}

/**
 * Removes what an earlier run of the same task (shard prefix) left in the output folder: its
 * shards in any format, temporary shards, its staging folder and its stats file, plus
 * `extraFiles`. Returns the names removed, for the message.
 */
export function removeEarlierOutputs(options: {
  output: string;
  prefix: string;
  statsFile: string;
  extraFiles?: readonly string[];
}): string[] {
  const { output, prefix } = options;
  if (!existsSync(output)) return [];
  const shard = new RegExp(
    `^\\.?${escapeRegExp(prefix)}-\\d{5}\\.(jsonl|jsonl\\.gz|jsonl\\.zst|parquet)(\\.tmp)?$`,
    'u',
  );
  const own = new Set([options.statsFile, ...(options.extraFiles ?? [])]);
  const removed: string[] = [];
  for (const name of readdirSync(output).sort()) {
    if (!shard.test(name) && !own.has(name) && name !== basename(stagingDir(output, prefix)))
      continue;
    rmSync(join(output, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/** Moves closed shards from the staging folder into the output folder; returns their new paths. */
export function publishShards(options: {
  output: string;
  prefix: string;
  files: readonly string[];
}): string[] {
  const published = options.files.map((file) => {
    const target = join(options.output, basename(file));
    renameSync(file, target);
    return target;
  });
  rmSync(stagingDir(options.output, options.prefix), { recursive: true, force: true });
  return published;
}

/** A shortened list of names for a message: the first few, then how many more. */
export function nameList(names: readonly string[], shown = 5): string {
  const head = names.slice(0, shown).join(', ');
  return names.length > shown ? `${head} and ${names.length - shown} more` : head;
}
