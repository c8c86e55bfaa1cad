// oasst1's ranked sibling replies as preference pairs, split by tree (every pair of a tree on one
// side). The held-out trees are held out of SFT too (their threads go to SFT's validation side),
// so the eval stage's held-out pairs are prompts and replies no model was trained on.
import { ChatTemplateError, render, type TokenizerLike } from '@lmkit/chat-template';
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
 * Pairs rendered with the chat template. Default: both sides whole within `maxTokens` (the prompt
 * cropped by whole turns from the front), for evaluation. With `truncate` (training): the prompt
 * kept whole and each reply cut to fit when too long (chat-template keep 'first-turns', as TRL
 * truncates completions to `max_length`); `truncated` counts the pairs with a cut reply. Pairs that
 * cannot be rendered so are counted in `tooLong` and left out. `kept[i]` is the pair of
 * `examples[i]`, for evaluations that score messages.
 */
export function renderPairs(
  pairs: readonly PreferencePair[],
  tokenizer: TokenizerLike,
  maxTokens: number,
  options: { truncate?: boolean } = {},
) {
  const keep = options.truncate ? 'first-turns' : 'last-turns';
  const examples: PreferenceExample[] = [];
  const kept: PreferencePair[] = [];
  let tooLong = 0;
  let truncated = 0;
  for (const pair of pairs) {
    try {
      const side = (reply: Message[]) => {
        const rendered = render({ messages: [...pair.prompt, ...reply] }, tokenizer, {
          maxTokens,
          keep,
        });
        if (keep === 'first-turns' && rendered.droppedMessages > 0) {
          throw new ChatTemplateError('the prompt and the start of the reply do not fit');
        }
        return rendered;
      };
      const example = { chosen: side(pair.chosen), rejected: side(pair.rejected) };
      if (example.chosen.cutReply || example.rejected.cutReply) truncated++;
      examples.push(example);
      kept.push(pair);
    } catch (error) {
      if (!(error instanceof ChatTemplateError)) throw error;
      tooLong++;
    }
  }
  return { examples, kept, tooLong, truncated };
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
      if (!(error instanceof ChatTemplateError)) throw error;
    }
  }
  return prompts;
}
