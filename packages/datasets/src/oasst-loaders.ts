// Loaders for both oasst1 export shapes: nested trees (one `{ prompt: { replies } }` tree per line,
// streamed) and flat messages (`message_id`, `parent_id` per line; the file is read whole to link
// them, then orphans and cycles are reported by line). Both yield threads (see oasst-threads.ts).

import type { Conversation } from './conversation.ts';
import { InvalidRecordError } from './errors.ts';
import {
  type InvalidInputOptions,
  type JsonRecord,
  readJsonLines,
  rejectRecord,
} from './json-lines.ts';
import {
  checkOasstTree,
  type OasstMessage,
  type OasstThreadOptions,
  oasstThreads,
} from './oasst-threads.ts';

export interface ReadOasstOptions extends OasstThreadOptions, InvalidInputOptions {
  path: string;
}

/** Threads from an oasst1 nested-tree JSONL file (`message_tree_id`, `prompt` with nested `replies`). */
export async function* readOasstTrees(options: ReadOasstOptions): AsyncIterable<Conversation> {
  for await (const record of readJsonLines(options)) {
    const root = (record.value as { prompt?: OasstMessage } | null)?.prompt;
    const reject = (field: string, problem: string, reason: string) =>
      rejectRecord(
        new InvalidRecordError(options.path, record.lineNumber, field, problem, reason),
        options,
      );
    if (root === null || typeof root !== 'object') {
      reject(
        'prompt',
        'is missing; each line must be one tree { message_tree_id, prompt: { ..., replies } }',
        'missing prompt',
      );
      continue;
    }
    const problem = checkOasstTree(root, 'prompt');
    if (problem) {
      reject(problem.field, problem.problem, problem.reason);
      continue;
    }
    for (const thread of oasstThreads(root, options, options.report)) {
      if (options.report) options.report.yielded++;
      yield thread;
    }
  }
}

/**
 * Threads from an oasst1 flat-message JSONL file (one message per line with `message_id` and
 * `parent_id`, null for a tree's root). Trees come out in the order of their roots.
 */
export async function* readOasstMessages(options: ReadOasstOptions): AsyncIterable<Conversation> {
  for (const root of await oasstTreesFromMessages(readJsonLines(options), options)) {
    for (const thread of oasstThreads(root, options, options.report)) {
      if (options.report) options.report.yielded++;
      yield thread;
    }
  }
}

/**
 * Links flat oasst1 message records (JSONL lines or Parquet rows) into checked trees, in the order
 * of their roots; orphans, cycles and malformed trees are thrown or counted, naming their line.
 */
export async function oasstTreesFromMessages(
  records: AsyncIterable<JsonRecord>,
  options: { path: string } & InvalidInputOptions,
): Promise<OasstMessage[]> {
  const byId = new Map<string, { node: OasstMessage; line: number }>();
  const order: { node: OasstMessage; line: number }[] = [];
  for await (const record of records) {
    const node = record.value as OasstMessage;
    const reject = (field: string, problem: string, reason: string) =>
      rejectRecord(
        new InvalidRecordError(options.path, record.lineNumber, field, problem, reason),
        options,
      );
    if (
      node === null ||
      typeof node !== 'object' ||
      typeof node.message_id !== 'string' ||
      node.message_id === ''
    ) {
      reject(
        'message_id',
        'is missing; each line must be one message { message_id, parent_id, role, text }',
        'missing message_id',
      );
      continue;
    }
    if (byId.has(node.message_id)) {
      reject(
        'message_id',
        `${JSON.stringify(node.message_id)} repeats line ${byId.get(node.message_id)!.line}`,
        'duplicate message_id',
      );
      continue;
    }
    const entry = { node: { ...node, replies: [] as OasstMessage[] }, line: record.lineNumber };
    byId.set(node.message_id, entry);
    order.push(entry);
  }
  const roots: typeof order = [];
  for (const entry of order) {
    const parent = entry.node.parent_id;
    if (parent === null || parent === undefined) {
      roots.push(entry);
    } else if (byId.has(parent)) {
      byId.get(parent)!.node.replies!.push(entry.node);
    } else {
      rejectRecord(
        new InvalidRecordError(
          options.path,
          entry.line,
          'parent_id',
          `${JSON.stringify(parent)} names no message in the file (an orphan)`,
          'orphan message',
        ),
        options,
      );
    }
  }
  // Messages not reachable from a root sit on a parent_id cycle (or under one).
  const reached = new Set<OasstMessage>();
  const mark = (node: OasstMessage) => {
    reached.add(node);
    for (const reply of node.replies ?? []) mark(reply);
  };
  for (const root of roots) mark(root.node);
  for (const entry of order) {
    const parent = entry.node.parent_id;
    if (reached.has(entry.node) || parent === null || parent === undefined || !byId.has(parent))
      continue;
    rejectRecord(
      new InvalidRecordError(
        options.path,
        entry.line,
        'parent_id',
        `${JSON.stringify(parent)} leads around a cycle and never to a root message`,
        'parent cycle',
      ),
      options,
    );
  }
  const lineOf = new Map(order.map((e) => [e.node, e.line]));
  const trees: OasstMessage[] = [];
  for (const root of roots) {
    const problem = checkOasstTree(root.node);
    if (problem) {
      const line = lineOf.get(problem.node) ?? root.line;
      const field = problem.field.replace(/^(replies\[\d+\]\.)+/, '');
      rejectRecord(
        new InvalidRecordError(options.path, line, field, problem.problem, problem.reason),
        options,
      );
      continue;
    }
    trees.push(root.node);
  }
  return trees;
}
