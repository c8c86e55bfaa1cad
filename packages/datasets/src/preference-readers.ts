// Readers of preference pairs: JSONL or Parquet rows in the `{ prompt, chosen, rejected }` form
// (see preference.ts for the shapes accepted), and oasst1's ranked sibling replies, in either
// export (nested trees per line, or flat messages in JSONL or Parquet as Hugging Face ships them).

import { convertEachRow, readRows, rejectProblem } from './converters-rows.ts';
import type { InvalidInputOptions } from './json-lines.ts';
import { oasstTreesFromMessages } from './oasst-loaders.ts';
import { checkOasstTree, type OasstMessage } from './oasst-threads.ts';
import {
  type PreferencePair,
  type PreferenceSplitOptions,
  splitPreferencePairs,
  toPreferencePair,
} from './preference.ts';
import { type OasstPairOptions, oasstPreferencePairs } from './preference-oasst.ts';

export interface ReadPreferenceOptions extends InvalidInputOptions {
  path: string;
  /** Default from the file name: `.parquet` → parquet, else JSONL (.gz/.zst allowed). */
  format?: 'parquet' | 'jsonl';
}

/** Streams checked pairs from a JSONL or Parquet file; bad rows are thrown or counted by reason. */
export async function* readPreferencePairs(
  options: ReadPreferenceOptions,
): AsyncIterable<PreferencePair> {
  yield* convertEachRow(options, (value) => {
    const result = toPreferencePair(value);
    return 'problem' in result ? result : { ok: result.pair };
  });
}

export interface ReadOasstPairsOptions extends OasstPairOptions, ReadPreferenceOptions {
  /**
   * 'trees': one `{ message_tree_id, prompt: { replies } }` per line; 'messages': one message per
   * row with `parent_id`. Default: 'messages' for Parquet, else 'trees'.
   */
  layout?: 'trees' | 'messages';
}

/** Preference pairs from oasst1 ranked siblings; each pair's `group` is its tree's root id. */
export async function* readOasstPreferencePairs(
  options: ReadOasstPairsOptions,
): AsyncIterable<PreferencePair> {
  const parquet =
    (options.format ?? (/\.parquet$/i.test(options.path) ? 'parquet' : 'jsonl')) === 'parquet';
  const layout = options.layout ?? (parquet ? 'messages' : 'trees');
  const emit = function* (root: OasstMessage) {
    for (const pair of oasstPreferencePairs(root, options, options.report)) {
      if (options.report) options.report.yielded++;
      yield pair;
    }
  };
  if (layout === 'messages') {
    for (const root of await oasstTreesFromMessages(readRows(options), options)) yield* emit(root);
    return;
  }
  for await (const record of readRows(options)) {
    const root = (record.value as { prompt?: OasstMessage } | null)?.prompt;
    const problem =
      root === null || typeof root !== 'object'
        ? {
            field: 'prompt',
            problem: 'is missing; each line must be one tree',
            reason: 'missing prompt',
          }
        : checkOasstTree(root, 'prompt');
    if (problem) {
      rejectProblem(options, record.lineNumber, problem);
      continue;
    }
    yield* emit(root as OasstMessage);
  }
}

export interface ReadPreferenceSplitOptions extends ReadOasstPairsOptions, PreferenceSplitOptions {
  /** 'oasst' (ranked sibling replies) or 'pairs' (rows already `{ prompt, chosen, rejected }`). */
  from: 'oasst' | 'pairs';
}

/** Every pair of a file read (oasst1 or pair rows) and split into train and validation by group. */
export async function readPreferenceSplit(
  options: ReadPreferenceSplitOptions,
): Promise<Record<'train' | 'validation', PreferencePair[]>> {
  const source =
    options.from === 'oasst' ? readOasstPreferencePairs(options) : readPreferencePairs(options);
  const all: PreferencePair[] = [];
  for await (const pair of source) all.push(pair);
  return splitPreferencePairs(all, options);
}
