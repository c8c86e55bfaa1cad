// Walks an OpenAssistant (oasst1) message tree into root-to-leaf threads: the best-ranked path or
// every path. Deleted and failed-review messages are left out with their replies, and synthetic
// ones too unless asked; every message left out is counted by reason.

import type { Conversation, Message } from './conversation.ts';
import { countSkip, type LoadReport } from './errors.ts';

/** One oasst1 message as exported (nested form: `replies`; flat form: `parent_id`). */
export interface OasstMessage {
  message_id: string;
  parent_id?: string | null;
  text: string;
  role: 'prompter' | 'assistant';
  rank?: number | null;
  deleted?: boolean;
  review_result?: boolean | null;
  synthetic?: boolean;
  replies?: OasstMessage[];
}

export interface OasstThreadOptions {
  /** 'best': follow the best-ranked reply (rank 0) at each step; 'all': every root-to-leaf path. Default 'best'. */
  paths?: 'best' | 'all';
  /** Keep messages marked synthetic; default false. */
  includeSynthetic?: boolean;
  /**
   * Cut threads that end with a user message back to their last assistant reply (dropping exact
   * duplicates that creates), as training wants; default true. False gives raw root-to-leaf paths.
   */
  endWithAssistant?: boolean;
}

export interface TreeProblem {
  node: OasstMessage;
  /** Field path inside the tree, e.g. `replies[1].role`. */
  field: string;
  problem: string;
  reason: string;
}

/** Checks the structure of a tree: ids, roles alternating from a prompter root, text, replies. */
export function checkOasstTree(root: OasstMessage, rootField = ''): TreeProblem | undefined {
  const visit = (node: OasstMessage, field: string, role: string): TreeProblem | undefined => {
    const at = (name: string) => (field ? `${field}.${name}` : name);
    if (node === null || typeof node !== 'object') {
      return {
        node,
        field: field || 'message',
        problem: 'is not an object',
        reason: 'bad message',
      };
    }
    if (typeof node.message_id !== 'string' || node.message_id === '') {
      return { node, field: at('message_id'), problem: 'is missing', reason: 'missing message_id' };
    }
    if (node.role !== role) {
      return {
        node,
        field: at('role'),
        problem: `is ${JSON.stringify(node.role)} but ${role} comes next; prompter and assistant messages alternate from a prompter root`,
        reason: 'roles out of order',
      };
    }
    if (typeof node.text !== 'string') {
      return {
        node,
        field: at('text'),
        problem: `is ${typeof node.text}, expected a string`,
        reason: 'missing text',
      };
    }
    if (!node.deleted && node.text.trim() === '') {
      return { node, field: at('text'), problem: 'is empty', reason: 'empty content' };
    }
    if (node.replies !== undefined && !Array.isArray(node.replies)) {
      return { node, field: at('replies'), problem: 'is not an array', reason: 'bad replies' };
    }
    const next = role === 'prompter' ? 'assistant' : 'prompter';
    for (const [i, reply] of (node.replies ?? []).entries()) {
      const problem = visit(reply, at(`replies[${i}]`), next);
      if (problem) return problem;
    }
    return undefined;
  };
  return visit(root, rootField, 'prompter');
}

/** Threads of one (already checked) tree, as conversations whose `id` is the last message's id. */
export function oasstThreads(
  root: OasstMessage,
  options: OasstThreadOptions = {},
  report?: LoadReport,
): Conversation[] {
  const best = (options.paths ?? 'best') === 'best';
  const keep = (node: OasstMessage) => {
    const reason = node.deleted
      ? 'deleted message'
      : node.review_result === false
        ? 'failed review'
        : node.synthetic && !options.includeSynthetic
          ? 'synthetic message'
          : undefined;
    if (reason) countSkip(report, reason, countMessages(node));
    return reason === undefined;
  };
  const raw: { messages: Message[]; ids: string[] }[] = [];
  const walk = (node: OasstMessage, messages: Message[], ids: string[]) => {
    const path = [
      ...messages,
      { role: node.role === 'prompter' ? 'user' : 'assistant', content: node.text } as Message,
    ];
    const pathIds = [...ids, node.message_id];
    let replies = (node.replies ?? []).filter(keep);
    if (best && replies.length > 1) replies = [bestRanked(replies)];
    if (replies.length === 0) raw.push({ messages: path, ids: pathIds });
    for (const reply of replies) walk(reply, path, pathIds);
  };
  if (keep(root)) walk(root, [], []);
  if (options.endWithAssistant === false) {
    return raw.map((t) => ({ messages: t.messages, id: t.ids[t.ids.length - 1] }));
  }
  const seen = new Set<string>();
  const threads: Conversation[] = [];
  for (const thread of raw) {
    let end = thread.messages.length;
    while (end > 0 && thread.messages[end - 1].role !== 'assistant') end--;
    if (end === 0) {
      countSkip(report, 'no assistant reply');
      continue;
    }
    const id = thread.ids[end - 1];
    if (end < thread.messages.length) countSkip(report, 'trailing user message cut');
    if (seen.has(id)) {
      countSkip(report, 'duplicate after cut');
      continue;
    }
    seen.add(id);
    threads.push({ messages: thread.messages.slice(0, end), id });
  }
  return threads;
}

/** The reply with the lowest rank (0 is best); unranked replies come after ranked ones, in order. */
function bestRanked(replies: OasstMessage[]): OasstMessage {
  let chosen = replies[0];
  for (const reply of replies) {
    const r = reply.rank ?? Number.POSITIVE_INFINITY;
    const c = chosen.rank ?? Number.POSITIVE_INFINITY;
    if (r < c) chosen = reply;
  }
  return chosen;
}

function countMessages(node: OasstMessage): number {
  return 1 + (node.replies ?? []).reduce((sum, reply) => sum + countMessages(reply), 0);
}
