// oasst1 as Hugging Face ships it (OpenAssistant/oasst1: Parquet, one message per row with
// `message_id`, `parent_id`, `lang`, `rank`, ...) into threads, with a language filter: a message
// in another language is left out with its replies (a tree whose root is, wholly), counted.

import type { Conversation } from '@lmkit/core';
import { type ReadRowsOptions, readRows } from './converters-rows.ts';
import { countSkip, type LoadReport } from './errors.ts';
import { oasstTreesFromMessages } from './oasst-loaders.ts';
import { type OasstMessage, type OasstThreadOptions, oasstThreads } from './oasst-threads.ts';
import { countOasstMessages, type OasstFilterOptions } from './preference-oasst.ts';

export interface ConvertOasstOptions extends ReadRowsOptions, OasstThreadOptions {
  /** Keep only these languages (e.g. ['en', 'de']); default all. */
  languages?: readonly string[];
}

/** Threads of a flat oasst1 export (Parquet or JSONL), in the order of their roots. */
export async function* convertOasst(options: ConvertOasstOptions): AsyncIterable<Conversation> {
  for (const root of await oasstTreesFromMessages(readRows(options), options)) {
    const kept = keepLanguages(root, options.languages, options.report);
    if (!kept) continue;
    for (const thread of oasstThreads(kept, options, options.report)) {
      if (options.report) options.report.yielded++;
      yield thread;
    }
  }
}

/** A copy of the tree without messages in other languages; undefined when the root is one. */
export function keepLanguages(
  root: OasstMessage,
  languages: OasstFilterOptions['languages'],
  report?: LoadReport,
): OasstMessage | undefined {
  if (!languages) return root;
  const prune = (node: OasstMessage): OasstMessage | undefined => {
    if (!languages.includes(String((node as { lang?: unknown }).lang))) {
      countSkip(report, 'other language', countOasstMessages(node));
      return undefined;
    }
    const replies = (node.replies ?? []).map(prune).filter((r) => r !== undefined);
    return { ...node, replies };
  };
  return prune(root);
}
