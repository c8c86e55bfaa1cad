// oasst1's ranked sibling replies as preference pairs, split by tree (every pair of a tree on one
// side). The held-out trees are held out of SFT too (their threads go to SFT's validation side),
// so the eval stage's held-out pairs are prompts and replies no model was trained on.
import { ContextOverflowError, render, type TokenizerLike } from '@lmkit/chat-template';
import type { Message } from '@lmkit/core';
import { newLoadReport, type PreferencePair, readPreferenceSplit } from '@lmkit/datasets';
import type { PreferenceExample } from '@lmkit/trainer';
import { oasstPath } from './paths.ts';
import type { SpeedrunPreset } from './presets.ts';

export async function preferenceSplit(preset: SpeedrunPreset) {
  const report = newLoadReport();
  const split = await readPreferenceSplit({
    path: oasstPath(),
    from: 'oasst',
    validationFraction: preset.preference.validationFraction,
    salt: 'speedrun',
    skipInvalid: true,
    report,
  });
  return { ...split, leftOut: report.skipped };
}

/** The first user message of a conversation: what identifies an oasst1 tree in both readers. */
export const treeKey = (messages: readonly Message[]) =>
  messages.find((m) => m.role === 'user')?.content ?? '';

/** Keys (`treeKey`) of the trees whose pairs are held out. */
export async function heldOutTrees(preset: SpeedrunPreset): Promise<Set<string>> {
  return new Set((await preferenceSplit(preset)).validation.map((pair) => treeKey(pair.prompt)));
}

/**
 * Pairs whose both replies fit whole within `maxTokens` (the prompt cropped by whole turns from the
 * front when needed), for the reward model (its head reads a reply's last token) and for
 * evaluation; the rest are counted in `tooLong`. `kept[i]` is the pair of `examples[i]`, for
 * evaluations that score messages. DPO trains on chat-template's `renderPairs` instead, which also
 * keeps pairs whose replies must be cut.
 */
export function wholePairs(
  pairs: readonly PreferencePair[],
  tokenizer: TokenizerLike,
  maxTokens: number,
) {
  const examples: PreferenceExample[] = [];
  const kept: PreferencePair[] = [];
  let tooLong = 0;
  for (const pair of pairs) {
    try {
      const side = (reply: Message[]) =>
        render({ messages: [...pair.prompt, ...reply] }, tokenizer, { maxTokens });
      examples.push({ chosen: side(pair.chosen), rejected: side(pair.rejected) });
      kept.push(pair);
    } catch (error) {
      if (!(error instanceof ContextOverflowError)) throw error;
      tooLong++;
    }
  }
  return { examples, kept, tooLong };
}

/**
 * Distinct prompts of the pairs (at most `count`), rendered to end in the assistant header within
 * `maxTokens` tokens; prompts that do not fit are passed over.
 */
export function generationPrompts(
  pairs: readonly PreferencePair[],
  tokenizer: TokenizerLike,
  count: number,
  maxTokens: number,
): { messages: Message[]; ids: number[] }[] {
  const seen = new Set<string>();
  const prompts: { messages: Message[]; ids: number[] }[] = [];
  for (const pair of pairs) {
    const key = JSON.stringify(pair.prompt);
    if (prompts.length >= count) break;
    if (seen.has(key)) continue;
    seen.add(key);
    try {
      const { ids } = render({ messages: pair.prompt }, tokenizer, {
        addGenerationPrompt: true,
        maxTokens,
      });
      prompts.push({ messages: pair.prompt, ids });
    } catch (error) {
      if (!(error instanceof ContextOverflowError)) throw error;
    }
  }
  return prompts;
}
