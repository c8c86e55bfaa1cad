// `lmkit-train eval`: what each stage bought, on one or more checkpoints, every score beside its
// chance level (@lmkit/evals): bits per byte on the held-out tail of a text, the built-in cloze
// task on a text (next line or next sentence among four), multiple choice files (HellaSwag, ARC,
// MMLU layouts), preference accuracy on held-out pairs (DPO's implicit reward against --reference,
// and the reward model's own), and the reward model's win rate of each checkpoint's replies over
// --compare's on held-out prompts. A table, or one JSON object with --json.
import { readFileSync } from 'node:fs';
import { basename, isAbsolute, relative } from 'node:path';
import type { Tokenizer } from '@lmkit/bpe';
import { ContextOverflowError, render } from '@lmkit/chat-template';
import {
  checkInput,
  type FlagValues,
  flag,
  formatHelp,
  parseFlags,
  samplingFlags as replySamplingFlags,
  UsageError,
} from '@lmkit/cli-kit';
import {
  type Message,
  newLoadReport,
  type PreferencePair,
  readPreferenceSplit,
} from '@lmkit/datasets';
import * as evals from '@lmkit/evals';
import { backendFlags } from './args.ts';
import {
  type ChatCheckpoint,
  checkSameTokenizer,
  endOfTurnId,
  findCheckpoint,
  loadChatCheckpoint,
  loadRewardCheckpoint,
  type RewardCheckpoint,
  readPrompts,
  renderPrompt,
  sampleReply,
} from './eval-command-models.ts';
import { setUpBackend } from './setup.ts';

/** How --compare samples replies. */
const sampling = replySamplingFlags({ temperature: 0.8, maxNewTokens: 64, seed: 1 });

const modelFlags = {
  checkpoint: flag.list({
    description:
      'checkpoint folder, or the --out of a run (its newest checkpoint); repeat for several',
    placeholder: 'DIR',
    commas: false,
  }),
  json: flag.boolean({ description: 'print one JSON object instead of the table' }),
  ...backendFlags,
};

const textFlags = {
  text: flag.string({
    description: 'bits per byte on the held-out tail of this UTF-8 text',
    placeholder: 'FILE',
  }),
  cloze: flag.string({
    description:
      'the cloze task (true continuation among four) from the held-out tail of this text',
    placeholder: 'FILE',
  }),
  'cloze-unit': flag.string({
    description:
      "what the cloze asks for: 'line' (verse) or 'sentence' (prose, one paragraph per line)",
    choices: ['line', 'sentence'] as const,
    default: 'line',
  }),
  'cloze-count': flag.number({ description: 'cloze items', integer: true, min: 1, default: 200 }),
  'held-out': flag.number({
    description: 'share of --text and --cloze taken from the end (1 = the whole file)',
    above: 0,
    max: 1,
    default: 0.1,
  }),
  'max-chars': flag.number({
    description:
      'bits per byte on at most the first N characters of the held-out text (default all)',
    integer: true,
    min: 1,
    example: '20000',
  }),
};

const choiceFlags = {
  'multiple-choice': flag.string({
    description: 'multiple choice items by likelihood, JSONL or Parquet (give --layout)',
    placeholder: 'FILE',
  }),
  layout: flag.string({
    description: 'layout of --multiple-choice',
    choices: ['hellaswag', 'arc', 'mmlu'] as const,
  }),
  limit: flag.number({
    description: 'the first N items of --multiple-choice (default all)',
    integer: true,
    min: 1,
    example: '500',
  }),
};

const preferenceFlags = {
  pairs: flag.string({
    description:
      'preference accuracy on the held-out pairs of this file (oasst1 or { prompt, chosen, rejected } rows)',
    placeholder: 'FILE',
  }),
  'pairs-format': flag.string({
    description: "'oasst' or 'pairs' (default: oasst when the name says so)",
    choices: ['oasst', 'pairs'] as const,
  }),
  'val-fraction': flag.number({
    description:
      'held-out share of --pairs and --prompts, by tree or row (as dpo, reward and loop split)',
    above: 0,
    max: 1,
    default: 0.1,
  }),
  reference: flag.string({
    description:
      "--pairs scored by DPO's implicit reward β·(log π − log π_ref) against this checkpoint",
    placeholder: 'DIR',
  }),
  beta: flag.number({ description: 'β of the implicit reward', above: 0, default: 0.1 }),
  'reward-model': flag.string({
    description:
      'a reward model (lmkit-train reward): its accuracy on --pairs, and the judge of --compare',
    placeholder: 'DIR',
  }),
  compare: flag.string({
    description:
      "the reward model's win rate of each --checkpoint's replies over this checkpoint's",
    placeholder: 'DIR',
  }),
  prompts: flag.string({
    description:
      'prompts for --compare (held-out split); default: the prompts of the held-out --pairs',
    placeholder: 'FILE',
  }),
  'max-prompts': flag.number({
    description: 'held-out prompts --compare samples replies for',
    integer: true,
    min: 1,
    default: 32,
  }),
  'max-new-tokens': sampling['max-new-tokens'],
  temperature: sampling.temperature,
  'top-k': sampling['top-k'],
  seed: sampling.seed,
};

const flags = { ...modelFlags, ...textFlags, ...choiceFlags, ...preferenceFlags };
const flagGroups = [
  { title: 'models and output', flags: modelFlags },
  { title: 'text: bits per byte and the cloze task', flags: textFlags },
  { title: 'multiple choice', flags: choiceFlags },
  { title: 'preferences', flags: preferenceFlags },
];

export const evalHelp = formatHelp({
  usage: 'lmkit-train eval --checkpoint DIR [--checkpoint DIR ...] [evaluations] [--json]',
  description: `Scores checkpoints on the evaluations asked for and prints each score beside its chance level.
At least one of --text, --cloze, --multiple-choice, --pairs, --compare.`,
  groups: flagGroups,
});

export interface EvalRow {
  /** The checkpoint folder scored (the reward model's for its own accuracy). */
  checkpoint: string;
  evaluation: string;
  /** The data it ran on (a file name). */
  data: string;
  score: number;
  chance: number;
  /** Items, pairs, prompts or bytes scored. */
  count: number;
  /** Win rate: the checkpoint whose replies were compared against. */
  against?: string;
  /** Whether a higher score is better (false for bits per byte). */
  higherIsBetter: boolean;
  /** The library's whole result. */
  result: Record<string, unknown>;
}

type Values = FlagValues<typeof flags>;

/** How replies are sampled for --compare (the same seeds for every model). */
interface Generation {
  maxNewTokens: number;
  temperature?: number;
  topK?: number;
  seed: number;
}

const generationOf = (values: Values): Generation => ({
  maxNewTokens: values.maxNewTokens ?? 64,
  temperature: values.temperature,
  topK: values.topK,
  seed: values.seed ?? 1,
});

export async function evalCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(flags, argv);
  if (values.help) {
    console.log(evalHelp);
    return 0;
  }
  const checkpoints = values.checkpoint;
  if (checkpoints.length === 0)
    throw new UsageError('eval needs --checkpoint DIR (repeat it to compare checkpoints)');
  if (!values.text && !values.cloze && !values.multipleChoice && !values.pairs && !values.compare)
    throw new UsageError(
      'eval needs an evaluation: --text FILE, --cloze FILE, --multiple-choice FILE --layout NAME, --pairs FILE or --compare DIR',
    );
  // Flags that only make sense with another: [the flag, any one of these must be given too, what to say].
  type Given =
    | 'multipleChoice'
    | 'layout'
    | 'pairs'
    | 'reference'
    | 'rewardModel'
    | 'prompts'
    | 'compare';
  const needs: [Given, Given[], string][] = [
    ['multipleChoice', ['layout'], '--multiple-choice needs --layout hellaswag, arc or mmlu'],
    ['layout', ['multipleChoice'], '--layout describes --multiple-choice FILE; give that file too'],
    [
      'pairs',
      ['reference', 'rewardModel'],
      "--pairs needs a score: --reference DIR (DPO's implicit reward of each checkpoint) and/or --reward-model DIR",
    ],
    [
      'reference',
      ['pairs'],
      '--reference scores --pairs FILE by the implicit reward; give that file too',
    ],
    [
      'rewardModel',
      ['pairs', 'compare'],
      '--reward-model scores --pairs FILE or judges --compare DIR; give one of them',
    ],
    [
      'prompts',
      ['compare'],
      '--prompts are the held-out prompts of --compare DIR; give that checkpoint too',
    ],
    ['compare', ['rewardModel'], '--compare needs --reward-model DIR, the judge of the replies'],
    [
      'compare',
      ['prompts', 'pairs'],
      '--compare needs held-out prompts: --prompts FILE (or --pairs FILE)',
    ],
  ];
  for (const [flagName, anyOf, message] of needs)
    if (values[flagName] && !anyOf.some((other) => values[other])) throw new UsageError(message);
  for (const [name, path] of [
    ['--text', values.text],
    ['--cloze', values.cloze],
    ['--multiple-choice', values.multipleChoice],
    ['--pairs', values.pairs],
    ['--prompts', values.prompts],
  ] as const)
    if (path) checkInput(name, path);
  // Every model folder is found before any work, so a wrong path fails at once.
  for (const dir of checkpoints) findCheckpoint(dir, '--checkpoint');
  for (const [name, dir] of [
    ['--reference', values.reference],
    ['--reward-model', values.rewardModel],
    ['--compare', values.compare],
  ] as const)
    if (dir) findCheckpoint(dir, name);

  const note = (line: string) => console.error(line);
  note(await setUpBackend({ backend: values.backend, native: values.native }));
  const rows: EvalRow[] = [];
  const data = await readData(values, note);
  const reward = values.rewardModel ? await loadRewardCheckpoint(values.rewardModel) : undefined;
  const reference = values.reference
    ? await loadChatCheckpoint(values.reference, '--reference')
    : undefined;
  try {
    if (reward && data.pairs) {
      const pairs = fitting(data.pairs, reward.tokenizer, reward.model.config.blockSize, note);
      const result = await evals.evaluatePreferenceAccuracy({
        pairs,
        score: evals.rewardModelScore({ model: reward.model, tokenizer: reward.tokenizer }),
      });
      rows.push({
        checkpoint: reward.dir,
        evaluation: 'preference accuracy (reward model)',
        data: basename(values.pairs!),
        score: result.accuracy,
        chance: result.chance,
        count: result.count,
        higherIsBetter: true,
        result: { ...result },
      });
    }
    const compared = values.compare
      ? await compareReplies(values.compare, data, reward!, generationOf(values), note)
      : undefined;
    for (const dir of checkpoints) {
      const model = await loadChatCheckpoint(dir, '--checkpoint');
      try {
        rows.push(
          ...(await evaluateCheckpoint(model, values, data, { reference, reward, compared }, note)),
        );
      } finally {
        model.model.dispose();
      }
    }
  } finally {
    reward?.model.dispose();
    reference?.model.dispose();
  }
  if (values.json) console.log(JSON.stringify({ results: rows }));
  else console.log(formatTable(rows));
  return 0;
}

interface EvalData {
  /** Prompts --compare samples replies for at most. */
  maxPrompts: number;
  text?: string;
  cloze?: string;
  pairs?: PreferencePair[];
  prompts?: Message[][];
}

async function readData(values: Values, note: (line: string) => void): Promise<EvalData> {
  const data: EvalData = { maxPrompts: values.maxPrompts };
  const heldOut = (path: string) => evals.heldOutText(readFileSync(path, 'utf8'), values.heldOut);
  if (values.text) {
    const text = heldOut(values.text);
    data.text = values.maxChars === undefined ? text : text.slice(0, values.maxChars);
  }
  if (values.cloze) data.cloze = heldOut(values.cloze);
  if (values.pairs) {
    const report = newLoadReport();
    const format = values.pairsFormat ?? (values.pairs.includes('oasst') ? 'oasst' : 'pairs');
    const split = await readPreferenceSplit({
      path: values.pairs,
      from: format,
      skipInvalid: true,
      report,
      validationFraction: values.valFraction,
    });
    if (split.validation.length === 0)
      throw new UsageError(
        `--pairs ${values.pairs}: none of its ${split.train.length} pairs falls in the held-out share --val-fraction ${values.valFraction}; raise --val-fraction`,
      );
    data.pairs = split.validation;
    note(
      `pairs: ${split.validation.length} held out of ${split.train.length + split.validation.length} (${format})`,
    );
  }
  if (values.compare) {
    if (values.prompts) {
      const split = await readPrompts({
        path: values.prompts,
        validationFraction: values.valFraction,
      });
      data.prompts = split.validation;
    } else {
      const seen = new Set<string>();
      data.prompts = (data.pairs ?? []).flatMap((pair) => {
        const key = JSON.stringify(pair.prompt);
        if (seen.has(key)) return [];
        seen.add(key);
        return [pair.prompt];
      });
    }
    if (data.prompts.length === 0)
      throw new UsageError(
        `--compare: no held-out prompt in ${values.prompts ?? values.pairs} at --val-fraction ${values.valFraction}; raise --val-fraction`,
      );
  }
  return data;
}

/** Pairs whose both sides render within `blockSize` tokens (earlier turns may be dropped). */
function fitting(
  pairs: PreferencePair[],
  tokenizer: Tokenizer,
  blockSize: number,
  note: (line: string) => void,
): PreferencePair[] {
  const fits = (messages: Message[]) => {
    try {
      render({ messages }, tokenizer, { maxTokens: blockSize });
      return true;
    } catch (error) {
      if (error instanceof ContextOverflowError) return false;
      throw error;
    }
  };
  const kept = pairs.filter(
    (pair) => fits([...pair.prompt, ...pair.chosen]) && fits([...pair.prompt, ...pair.rejected]),
  );
  if (kept.length === 0)
    throw new UsageError(
      `no held-out pair fits in the context of ${blockSize} tokens; give shorter pairs or a model with a longer context`,
    );
  if (kept.length < pairs.length)
    note(`${pairs.length - kept.length} held-out pairs longer than ${blockSize} tokens left out`);
  return kept;
}

interface Compared {
  dir: string;
  prompts: Message[][];
  replies: Message[][];
}

/** The --compare checkpoint's replies to the held-out prompts that fit every model involved. */
async function compareReplies(
  dir: string,
  data: EvalData,
  reward: RewardCheckpoint,
  generation: Generation,
  note: (line: string) => void,
): Promise<Compared> {
  const baseline = await loadChatCheckpoint(dir, '--compare');
  try {
    const { maxNewTokens } = generation;
    const fits = (prompt: Message[]) =>
      renderPrompt(prompt, baseline.tokenizer, {
        blockSize: baseline.model.config.blockSize,
        maxNewTokens,
      }) !== undefined &&
      renderPrompt(prompt, reward.tokenizer, {
        blockSize: reward.model.config.blockSize,
        maxNewTokens,
      }) !== undefined;
    const prompts = data.prompts!.filter(fits).slice(0, data.maxPrompts);
    if (prompts.length === 0)
      throw new UsageError(
        `--compare: no held-out prompt fits the context with --max-new-tokens ${maxNewTokens}; lower --max-new-tokens`,
      );
    note(`--compare: ${prompts.length} held-out prompts, replies from ${baseline.dir}`);
    return { dir: baseline.dir, prompts, replies: await repliesOf(baseline, prompts, generation) };
  } finally {
    baseline.model.dispose();
  }
}

/** A model's reply to each prompt, seeded by the prompt's position (the same for every model). */
async function repliesOf(model: ChatCheckpoint, prompts: Message[][], generation: Generation) {
  const stop = endOfTurnId(model.tokenizer, model.dir);
  const replies: Message[][] = [];
  for (const [i, prompt] of prompts.entries()) {
    const ids = renderPrompt(prompt, model.tokenizer, {
      blockSize: model.model.config.blockSize,
      maxNewTokens: generation.maxNewTokens,
    });
    if (!ids)
      throw new UsageError(
        `a held-out prompt does not fit ${model.dir}'s context of ${model.model.config.blockSize} tokens with --max-new-tokens ${generation.maxNewTokens}; lower --max-new-tokens`,
      );
    replies.push(
      await sampleReply(model.model, model.tokenizer, ids, {
        ...generation,
        seed: generation.seed + i,
        stop,
      }),
    );
  }
  return replies;
}

async function evaluateCheckpoint(
  model: ChatCheckpoint,
  values: Values,
  data: EvalData,
  judges: { reference?: ChatCheckpoint; reward?: RewardCheckpoint; compared?: Compared },
  note: (line: string) => void,
): Promise<EvalRow[]> {
  const rows: EvalRow[] = [];
  const scorer = evals.gptScorer(model.model);
  const { tokenizer } = model;
  const row = (
    evaluation: string,
    file: string,
    score: number,
    chance: number,
    count: number,
    result: object,
    higherIsBetter = true,
  ) =>
    rows.push({
      checkpoint: model.dir,
      evaluation,
      data: basename(file),
      score,
      chance,
      count,
      higherIsBetter,
      result: { ...result },
    });
  if (data.text !== undefined) {
    const result = await evals.evaluateBitsPerByte({ scorer, tokenizer, text: data.text });
    row(
      'bits per byte',
      values.text!,
      result.bitsPerByte,
      result.chance,
      result.bytes,
      result,
      false,
    );
  }
  if (data.cloze !== undefined) {
    const unit = values.clozeUnit as 'line' | 'sentence';
    const items = evals.clozeTask({
      text: data.cloze,
      unit,
      count: values.clozeCount,
      seed: values.seed,
    });
    const { predictions: _, ...result } = await evals.evaluateMultipleChoice({
      scorer,
      tokenizer,
      items,
    });
    row(`cloze (${unit})`, values.cloze!, result.accuracy, result.chance, result.count, result);
  }
  if (values.multipleChoice) {
    const items = await evals.readMultipleChoice({
      path: values.multipleChoice,
      layout: values.layout as evals.MultipleChoiceLayout,
      limit: values.limit,
    });
    const { predictions: _, ...result } = await evals.evaluateMultipleChoice({
      scorer,
      tokenizer,
      items,
    });
    row(
      values.layout!,
      values.multipleChoice,
      result.accuracy,
      result.chance,
      result.count,
      result,
    );
  }
  if (data.pairs && judges.reference) {
    checkSameTokenizer(
      judges.reference,
      model,
      'the implicit reward compares log-probabilities of the same tokens: give the SFT checkpoint the policy was aligned from as --reference',
    );
    const blockSize = Math.min(
      model.model.config.blockSize,
      judges.reference.model.config.blockSize,
    );
    const pairs = fitting(data.pairs, tokenizer, blockSize, note);
    const score = evals.implicitReward({
      policy: scorer,
      reference: evals.gptScorer(judges.reference.model),
      tokenizer,
      beta: values.beta,
    });
    const result = await evals.evaluatePreferenceAccuracy({ pairs, score });
    row(
      'preference accuracy (implicit reward)',
      values.pairs!,
      result.accuracy,
      result.chance,
      result.count,
      result,
    );
  }
  if (judges.compared && judges.reward) {
    const { prompts, replies } = judges.compared;
    const ours = await repliesOf(model, prompts, generationOf(values));
    const result = await evals.evaluateWinRate({
      prompts,
      repliesA: ours,
      repliesB: replies,
      score: evals.rewardModelScore({
        model: judges.reward.model,
        tokenizer: judges.reward.tokenizer,
      }),
    });
    rows.push({
      checkpoint: model.dir,
      evaluation: 'win rate (reward model)',
      data: basename(values.prompts ?? values.pairs!),
      score: result.winRate,
      chance: result.chance,
      count: result.count,
      against: judges.compared.dir,
      higherIsBetter: true,
      result: { ...result },
    });
  }
  return rows;
}

/** The rows as an aligned text table, chance beside every score. */
export function formatTable(rows: readonly EvalRow[]): string {
  const format = (value: number) => (Math.abs(value) >= 100 ? value.toFixed(1) : value.toFixed(3));
  // Paths under the working folder print relative to it.
  const show = (path: string) => {
    const near = relative(process.cwd(), path);
    return near && !near.startsWith('..') && !isAbsolute(near) ? near : path;
  };
  const cells = [
    ['checkpoint', 'evaluation', 'data', 'score', 'chance', 'n'],
    ...rows.map((r) => [
      show(r.checkpoint),
      `${r.evaluation}${r.against ? ` vs ${show(r.against)}` : ''}${r.higherIsBetter ? '' : ' (lower is better)'}`,
      r.data,
      format(r.score),
      format(r.chance),
      String(r.count),
    ]),
  ];
  const widths = cells[0].map((_, c) => Math.max(...cells.map((line) => line[c].length)));
  return cells
    .map((line) =>
      line
        .map((cell, c) => (c >= 3 ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
