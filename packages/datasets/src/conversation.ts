// The conversation shape (declared once in @lmkit/core, re-exported here) and
// its checks: roles known and in order (optional system first, then user/assistant alternating
// from user), content non-empty, reasoning only on assistant messages.

import type { Conversation, Message, Role } from '@lmkit/core';

export type { Conversation, Message, Role };

export interface ConversationProblem {
  /** Path of the bad field, e.g. `messages[2].role`. */
  field: string;
  problem: string;
  reason: string;
}

/** The first problem of a conversation, or undefined when it is well-formed. */
export function checkConversation(value: unknown): ConversationProblem | undefined {
  const messages = (value as { messages?: unknown } | null)?.messages;
  if (!Array.isArray(messages)) {
    return {
      field: 'messages',
      problem: `is ${describe(messages)}, expected an array of { role, content }`,
      reason: 'missing messages',
    };
  }
  if (messages.length === 0) {
    return {
      field: 'messages',
      problem: 'is empty; a conversation needs at least one message',
      reason: 'empty conversation',
    };
  }
  let expected: Role = 'user';
  for (const [i, message] of messages.entries()) {
    const at = `messages[${i}]`;
    const role = (message as { role?: unknown } | null)?.role;
    if (role !== 'system' && role !== 'user' && role !== 'assistant') {
      return {
        field: `${at}.role`,
        problem: `is ${describe(role)}; expected system, user or assistant`,
        reason: 'unknown role',
      };
    }
    if (role === 'system' ? i !== 0 : role !== expected) {
      const want = i === 0 ? 'system or user' : expected;
      return {
        field: `${at}.role`,
        problem: `is ${role} but ${want} comes next; a system message may only open the conversation and user/assistant turns alternate`,
        reason: 'roles out of order',
      };
    }
    if (role !== 'system') expected = role === 'user' ? 'assistant' : 'user';
    const content = (message as { content?: unknown }).content;
    if (typeof content !== 'string') {
      return {
        field: `${at}.content`,
        problem: `is ${describe(content)}, expected a string`,
        reason: 'missing content',
      };
    }
    if (content.trim() === '') {
      return { field: `${at}.content`, problem: 'is empty', reason: 'empty content' };
    }
    const reasoning = (message as { reasoning?: unknown }).reasoning;
    if (reasoning !== undefined && (role !== 'assistant' || typeof reasoning !== 'string')) {
      return {
        field: `${at}.reasoning`,
        problem: `is ${describe(reasoning)} on a ${role} message; reasoning is a string on assistant messages only`,
        reason: 'bad reasoning',
      };
    }
  }
  return undefined;
}

export function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return Array.isArray(value) ? 'an array' : typeof value;
}
