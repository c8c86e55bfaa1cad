// Multiple choice by likelihood, as lm-evaluation-harness scores HellaSwag, ARC and MMLU: each
// choice is appended to the context and the one with the highest log-probability wins (`accuracy`),
// or the highest per byte of the choice (`accuracyNormalized`, lm-eval's acc_norm, fairer to long
// choices). Chance (the mean of 1 / choices) is reported beside both. Users bring the files.

import type { TokenizerLike } from '@lmkit/core';
import { readRows } from '@lmkit/datasets';
import { EvalsError } from './errors.ts';
import { continuationLogProbs, type SequenceScorer } from './scorer.ts';

export interface MultipleChoiceItem {
  context: string;
  /** Continuations as appended to the context (with their leading space). */
  choices: string[];
  /** Index of the right choice. */
  label: number;
  id?: string;
}

export interface MultipleChoiceResult {
  /** Share of items whose right choice has the highest total log-probability. */
  accuracy: number;
  /** The same with log-probability per UTF-8 byte of the choice. */
  accuracyNormalized: number;
  /** Expected accuracy of a random guess: mean of 1 / number of choices. */
  chance: number;
  count: number;
  /** Per item: the choice picked by total log-probability. */
  predictions: number[];
}

const encoder = new TextEncoder();

export async function evaluateMultipleChoice(options: {
  scorer: SequenceScorer;
  tokenizer: TokenizerLike;
  items: readonly MultipleChoiceItem[];
}): Promise<MultipleChoiceResult> {
  const { scorer, tokenizer, items } = options;
  if (items.length === 0) throw new EvalsError('no items to evaluate; pass at least one');
  let right = 0;
  let rightNormalized = 0;
  let chance = 0;
  const predictions: number[] = [];
  for (const item of items) {
    const context = tokenizer.encodeOrdinary(item.context);
    const scores = await continuationLogProbs(
      scorer,
      item.choices.map((choice) => ({ context, continuation: tokenizer.encodeOrdinary(choice) })),
    );
    const best = argmax(scores);
    const bestNormalized = argmax(
      scores.map((s, i) => s / Math.max(1, encoder.encode(item.choices[i]).length)),
    );
    predictions.push(best);
    if (best === item.label) right++;
    if (bestNormalized === item.label) rightNormalized++;
    chance += 1 / item.choices.length;
  }
  return {
    accuracy: right / items.length,
    accuracyNormalized: rightNormalized / items.length,
    chance: chance / items.length,
    count: items.length,
    predictions,
  };
}

function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

export type MultipleChoiceLayout = 'hellaswag' | 'arc' | 'mmlu';

/** The fields the three layouts use (loosely typed: rows come from files). */
interface BenchmarkRow {
  id?: string | number;
  ind?: number;
  ctx?: string;
  ctx_a?: string;
  ctx_b?: string;
  activity_label?: string;
  endings?: string[];
  ending_options?: string[];
  label?: number | string;
  question?: string | { stem: string; choices?: { text: string; label: string }[] };
  choices?: string[] | { text: string; label: string }[] | { text: string[]; label: string[] };
  answerKey?: string;
  answer?: number | string;
  subject?: string;
}

const LETTERS = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'];

/**
 * One row of a benchmark file as an item. Layouts: HellaSwag (`ctx` or `ctx_a`/`ctx_b`, `endings`,
 * `label`), ARC (`question` as text or `{ stem, choices }`, `choices: { text, label }`,
 * `answerKey`), MMLU (`question`, `choices`, `answer` index or letter, `subject`). The prompts
 * follow lm-evaluation-harness (ARC: "Question: …\nAnswer:"; MMLU: lettered options, " A" … scored).
 */
export function multipleChoiceItem(row: unknown, layout: MultipleChoiceLayout): MultipleChoiceItem {
  const r = (row ?? {}) as BenchmarkRow;
  const id = r?.id ?? r?.ind;
  const item = (context: string, choices: string[], label: number): MultipleChoiceItem => {
    if (!Number.isInteger(label) || label < 0 || label >= choices.length) {
      throw new EvalsError(
        `label ${JSON.stringify(label)} names none of the ${choices.length} choices (${layout} row ${JSON.stringify(id ?? '')})`,
      );
    }
    if (choices.length < 2)
      throw new EvalsError(`a ${layout} row has ${choices.length} choice(s); it needs at least 2`);
    return id === undefined
      ? { context, choices, label }
      : { context, choices, label, id: String(id) };
  };
  if (layout === 'hellaswag') {
    const context =
      typeof r.ctx === 'string' ? r.ctx : `${r.ctx_a ?? ''} ${capitalise(r.ctx_b ?? '')}`.trim();
    const endings: unknown = r.endings ?? r.ending_options;
    if (typeof context !== 'string' || !Array.isArray(endings))
      throw new EvalsError('a hellaswag row needs ctx (or ctx_a, ctx_b) and endings');
    const prefix = r.activity_label ? `${r.activity_label}: ` : '';
    return item(
      clean(prefix + context),
      endings.map((e) => ` ${clean(String(e))}`),
      Number(r.label),
    );
  }
  if (layout === 'arc') {
    const question = typeof r.question === 'string' ? r.question : r.question?.stem;
    const raw = r.choices ?? (typeof r.question === 'object' ? r.question.choices : undefined);
    // Allen AI's files: a list of { text, label }; Hugging Face's: { text: [...], label: [...] }.
    const list = Array.isArray(raw) ? (raw as { text: string; label: string }[]) : undefined;
    const columns = raw as { text: string[]; label: string[] } | undefined;
    const texts = list ? list.map((c) => c.text) : columns?.text;
    const labels = list ? list.map((c) => c.label) : (columns?.label ?? []);
    if (typeof question !== 'string' || !Array.isArray(texts))
      throw new EvalsError('an arc row needs question (text or { stem }) and choices');
    return item(
      `Question: ${question}\nAnswer:`,
      texts.map((t) => ` ${t}`),
      labels.indexOf(String(r.answerKey)),
    );
  }
  const choices: unknown = r.choices;
  if (typeof r.question !== 'string' || !Array.isArray(choices))
    throw new EvalsError('an mmlu row needs question and choices');
  const subject = typeof r.subject === 'string' ? ` about ${r.subject.replaceAll('_', ' ')}` : '';
  const options = choices.map((c, i) => `${LETTERS[i]}. ${c}`).join('\n');
  const answer = typeof r.answer === 'string' ? LETTERS.indexOf(r.answer) : Number(r.answer);
  return item(
    `The following are multiple choice questions (with answers)${subject}.\n\n${r.question.trim()}\n${options}\nAnswer:`,
    choices.map((_, i) => ` ${LETTERS[i]}`),
    answer,
  );
}

/** Items of a JSONL or Parquet benchmark file in the given layout. */
export async function readMultipleChoice(options: {
  path: string;
  layout: MultipleChoiceLayout;
  limit?: number;
}): Promise<MultipleChoiceItem[]> {
  const items: MultipleChoiceItem[] = [];
  for await (const record of readRows({ path: options.path })) {
    try {
      items.push(multipleChoiceItem(record.value, options.layout));
    } catch (error) {
      throw new EvalsError(`${options.path}:${record.lineNumber}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (options.limit !== undefined && items.length >= options.limit) break;
  }
  return items;
}

/** lm-eval's HellaSwag clean-up of WikiHow markers: " [title]" → ". ", other [tags] dropped. */
function clean(text: string): string {
  return text
    .trim()
    .replace(' [title]', '. ')
    .replace(/\[.*?\]/g, '')
    .replaceAll('  ', ' ');
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
