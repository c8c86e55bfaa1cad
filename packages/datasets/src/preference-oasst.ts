// Preference pairs from one oasst1 tree: wherever a prompter message has two or more ranked
// assistant replies, the better-ranked (lower `rank`) reply is chosen over the worse one. Left out,
// each counted by reason: deleted, failed-review, synthetic (unless asked) and other-language
// messages with their replies, unranked replies, ties and identical texts.

import type { Message } from '@lmkit/core';
import { countSkip, type LoadReport } from './errors.ts';
import type { OasstMessage } from './oasst-threads.ts';
import type { PreferencePair } from './preference.ts';

export interface OasstFilterOptions {
  /** Keep messages marked synthetic; default false. */
  includeSynthetic?: boolean;
  /** Keep only messages in these languages (oasst1 `lang`, e.g. ['en']); default all. */
  languages?: readonly string[];
}

export interface OasstPairOptions extends OasstFilterOptions {
  /**
   * 'all' (default): every two ranked siblings of different rank, k(k-1)/2 pairs from k replies;
   * 'best-worst': one pair per prompt, the best-ranked reply over the worst.
   */
  pairs?: 'all' | 'best-worst';
}

/** Why a message (and its replies) is left out, or undefined to keep it. */
export function oasstSkipReason(
  node: OasstMessage & { lang?: unknown },
  options: OasstFilterOptions,
): string | undefined {
  if (node.deleted) return 'deleted message';
  if (node.review_result === false) return 'failed review';
  if (node.synthetic && !options.includeSynthetic) return 'synthetic message';
  if (options.languages && !options.languages.includes(String(node.lang))) return 'other language';
  return undefined;
}

/**
 * Pairs of one checked tree, in tree order; `group` is the root id so a split keeps a tree whole.
 *
 * @example
 * // prompt P with replies A (rank 0), B (rank 1), C (rank 2): pairs A>B, A>C, B>C ('all') or A>C.
 */
export function oasstPreferencePairs(
  root: OasstMessage,
  options: OasstPairOptions = {},
  report?: LoadReport,
): PreferencePair[] {
  const pairs: PreferencePair[] = [];
  const kept = (node: OasstMessage) => {
    const reason = oasstSkipReason(node, options);
    if (reason) countSkip(report, reason, countOasstMessages(node));
    return reason === undefined;
  };
  const toMessage = (node: OasstMessage): Message => ({
    role: node.role === 'prompter' ? 'user' : 'assistant',
    content: node.text,
  });
  const walk = (node: OasstMessage, path: Message[]) => {
    const here = [...path, toMessage(node)];
    const replies = (node.replies ?? []).filter(kept);
    if (node.role === 'prompter') {
      const ranked = replies.filter((r) => typeof r.rank === 'number');
      if (ranked.length >= 2) {
        countSkip(report, 'unranked reply', replies.length - ranked.length);
        ranked.sort((a, b) => (a.rank as number) - (b.rank as number));
        const candidates =
          options.pairs === 'best-worst'
            ? [[ranked[0], ranked[ranked.length - 1]]]
            : ranked.flatMap((better, i) => ranked.slice(i + 1).map((worse) => [better, worse]));
        for (const [better, worse] of candidates) {
          if (better.rank === worse.rank) countSkip(report, 'tied rank');
          else if (better.text.trim() === worse.text.trim()) countSkip(report, 'identical replies');
          else {
            pairs.push({
              prompt: here,
              chosen: [toMessage(better)],
              rejected: [toMessage(worse)],
              id: `${better.message_id}>${worse.message_id}`,
              group: root.message_id,
            });
          }
        }
      }
    }
    for (const reply of replies) walk(reply, here);
  };
  if (kept(root)) walk(root, []);
  return pairs;
}

/** A message and all its replies, counted. */
export function countOasstMessages(node: OasstMessage): number {
  return 1 + (node.replies ?? []).reduce((sum, reply) => sum + countOasstMessages(reply), 0);
}
