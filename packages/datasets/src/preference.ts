// Preference pairs in the conversational form TRL and the Hugging Face preference datasets use:
// `{ prompt, chosen, rejected }`, each a list of messages. Also accepted on input: plain strings
// (TRL's "standard" form) and the implicit-prompt form (no `prompt`; chosen and rejected are whole
// conversations sharing their opening). Checked, then split train/validation by group.

import type { Message } from '@lmkit/core';
import { type ConversationProblem, checkConversation, describe } from './conversation.ts';
import { type Split, splitOf } from './split.ts';

/** One human preference: the same prompt, a better and a worse reply. */
export interface PreferencePair {
  /** The conversation so far, ending with a user message. */
  prompt: Message[];
  /** The preferred continuation (assistant messages, usually one). */
  chosen: Message[];
  /** The dispreferred continuation. */
  rejected: Message[];
  /** Optional source id, for tracing. */
  id?: string;
  /**
   * Pairs of one group (an oasst tree, a prompt) always land on the same side of a split, so no
   * prompt or sibling reply leaks from training into validation. Default: the prompt itself.
   */
  group?: string;
}

/**
 * A pair from any of the accepted input shapes, or the first problem found.
 *
 * @example
 * toPreferencePair({ prompt: 'Hi', chosen: 'Hello!', rejected: '...' })
 * // { pair: { prompt: [{ role: 'user', content: 'Hi' }], chosen: [{ role: 'assistant', content: 'Hello!' }], ... } }
 */
export function toPreferencePair(
  value: unknown,
): { pair: PreferencePair } | { problem: ConversationProblem } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return {
      problem: {
        field: 'row',
        problem: `is ${describe(value)}, expected an object { prompt, chosen, rejected }`,
        reason: 'not an object',
      },
    };
  }
  const row = value as Record<string, unknown>;
  for (const field of ['chosen', 'rejected'] as const) {
    if (row[field] === undefined || row[field] === null) {
      return {
        problem: {
          field,
          problem: 'is missing; a preference row has prompt (optional), chosen and rejected',
          reason: `missing ${field}`,
        },
      };
    }
  }
  let prompt = messagesOf(row.prompt, 'user');
  let chosen = messagesOf(row.chosen, 'assistant');
  let rejected = messagesOf(row.rejected, 'assistant');
  if (row.prompt === undefined || row.prompt === null) {
    // Implicit prompt: the longest common opening that ends with a user message.
    let shared = 0;
    while (
      shared < chosen.length &&
      shared < rejected.length &&
      sameMessage(chosen[shared], rejected[shared])
    )
      shared++;
    while (shared > 0 && (chosen[shared - 1] as Message | undefined)?.role !== 'user') shared--;
    prompt = chosen.slice(0, shared);
    chosen = chosen.slice(shared);
    rejected = rejected.slice(shared);
  }
  if (prompt.length === 0) {
    return {
      problem: {
        field: 'prompt',
        problem: 'is empty; a pair needs a prompt that ends with a user message',
        reason: 'empty prompt',
      },
    };
  }
  for (const [field, reply] of [
    ['chosen', chosen],
    ['rejected', rejected],
  ] as const) {
    const problem = checkConversation({ messages: [...prompt, ...reply] });
    if (problem) return { problem: renamed(problem, prompt.length, field) };
    if (reply.length === 0 || reply[0].role !== 'assistant') {
      return {
        problem: {
          field,
          problem: 'has no assistant reply after the prompt',
          reason: `empty ${field}`,
        },
      };
    }
  }
  if (JSON.stringify(chosen) === JSON.stringify(rejected)) {
    return {
      problem: {
        field: 'rejected',
        problem: 'equals chosen; a pair needs two different replies',
        reason: 'identical replies',
      },
    };
  }
  const pair: PreferencePair = { prompt, chosen, rejected };
  if (typeof row.id === 'string' || typeof row.id === 'number') pair.id = String(row.id);
  if (typeof row.group === 'string') pair.group = row.group;
  return { pair };
}

/** Messages from a list of `{ role, content }` (or a plain string for `role`), as given. */
function messagesOf(value: unknown, role: Message['role']): Message[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [{ role, content: value }];
  if (!Array.isArray(value)) return [value as Message];
  return value.map((m) => {
    if (m === null || typeof m !== 'object') return m as Message;
    const { role: r, content, reasoning, reasoning_content } = m as Record<string, unknown>;
    const message = { role: r, content } as Message;
    const thought = reasoning ?? reasoning_content;
    if (thought !== undefined && thought !== null && thought !== '')
      message.reasoning = thought as string;
    return message;
  });
}

function sameMessage(a: Message, b: Message): boolean {
  return a?.role === b?.role && a?.content === b?.content && a?.reasoning === b?.reasoning;
}

/** Problem paths of `[...prompt, ...reply]` renamed to `prompt[i]` or `chosen[j]`. */
function renamed(
  problem: ConversationProblem,
  promptLength: number,
  reply: string,
): ConversationProblem {
  const field = problem.field.replace(/^messages\[(\d+)\]/, (_, index: string) => {
    const i = Number(index);
    return i < promptLength ? `prompt[${i}]` : `${reply}[${i - promptLength}]`;
  });
  return { ...problem, field: field === 'messages' ? reply : field };
}

/** The key that decides a pair's side: its group, else its prompt. */
export function preferenceKey(pair: PreferencePair): string {
  return pair.group ?? JSON.stringify(pair.prompt);
}

export interface PreferenceSplitOptions {
  /** Fraction of groups held out for validation, in [0, 1] (e.g. 0.1). */
  validationFraction: number;
  /** Changes which groups are held out, keeping the fraction. */
  salt?: string;
}

/**
 * Splits pairs by group with a stable hash (the same rule as `splitOf`), so every pair of one
 * oasst tree lands on one side, and a pair keeps its side as the data grows.
 */
export function splitPreferencePairs(
  pairs: Iterable<PreferencePair>,
  options: PreferenceSplitOptions,
): Record<Split, PreferencePair[]> {
  const out: Record<Split, PreferencePair[]> = { train: [], validation: [] };
  for (const pair of pairs) out[splitOf(preferenceKey(pair), options)].push(pair);
  return out;
}
