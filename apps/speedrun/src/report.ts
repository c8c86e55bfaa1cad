// Stage 9: the report card, as nanochat writes one: the run (commit, machine, total time), the model
// (config, parameter count), the hyperparameters, the data mix with counts and skips, training
// speed with the peak behind MFU, smoothed loss curves, what each evaluation measures, samples.
// Written once as Markdown (PNG plots beside it); the HTML page is that Markdown rendered by
// `marked`, with the plots inlined as SVG, so the two never disagree.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parameterCount } from '@lmkit/gpt-model';
import {
  defaultTrainingConfig,
  type MetricsRecord,
  type PlotOptions,
  readMetrics,
  renderPng,
  renderSvg,
} from '@lmkit/trainer';
import { Marked } from 'marked';
import type { ShardsStats } from './data-stages.ts';
import { type EvalStats, MODELS, type ModelName, type Score } from './eval-stage.ts';
import type { PreferenceStats } from './preference-stage.ts';
import type { SpeedrunPreset } from './presets.ts';
import type { DoneMarker, Stage } from './runner.ts';
import type { SftStats } from './train-stages.ts';

interface StageTable {
  stage: string;
  read: number;
  kept: number;
  dropped: Record<string, number>;
  errored: Record<string, number>;
}

/**
 * Weight of the previous value in a curve's exponential moving average: an effective window of
 * about 5% of the run (`1 - 1/window`), so a 40-step run is barely smoothed and a 1500-step run
 * averages over ~75 steps. `smoothingWeight(40)` → 0.5, `smoothingWeight(1500)` → 0.987.
 */
export function smoothingWeight(points: number): number {
  return 1 - 1 / Math.max(2, points / 20);
}

function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Exponential moving average with bias correction (TensorBoard's smoothing): the first points
 * are not pulled towards 0. `smoothed([4, 2], 0.5)` → `[4, 2.667]`.
 */
export function smoothed(
  values: readonly number[],
  weight = smoothingWeight(values.length),
): number[] {
  let average = 0;
  return values.map((value, index) => {
    average = weight * average + (1 - weight) * value;
    return average / (1 - weight ** (index + 1));
  });
}

function lossPlot(title: string, records: MetricsRecord[]): PlotOptions {
  const train = records.filter((r) => r.type === 'train');
  const val = records.filter((r) => r.type === 'val');
  const trainSmoothed = smoothed(train.map((r) => r.loss));
  return {
    title,
    xLabel: 'tokens seen',
    yLabel: 'loss (nats/token)',
    series: [
      {
        name: 'train (each step)',
        color: '#aec7e8',
        points: train.map((r) => [r.tokensSeen, r.loss] as const),
      },
      {
        name: `train (moving average, ${Math.max(2, Math.round(train.length / 20))} steps)`,
        color: '#1f77b4',
        points: train.map((r, index) => [r.tokensSeen, trainSmoothed[index]] as const),
      },
      {
        name: 'validation',
        color: '#d62728',
        points: val.map((r) => [r.tokensSeen, r.loss] as const),
      },
    ],
  };
}

/** Text for one Markdown table cell: pipes, Markdown punctuation and HTML escaped, one line. */
export function markdownCell(value: string | number): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|#~]/g, (c) => `\\${c}`)
    .replace(/\r?\n/g, ' ↵ ');
}

function trainingSummary(records: MetricsRecord[]) {
  const train = records.filter((r) => r.type === 'train');
  return {
    steps: train.at(-1)?.step ?? 0,
    tokens: train.at(-1)?.tokensSeen ?? 0,
    tokensPerSecond: median(train.slice(1).map((r) => r.tokensPerSecond)),
    mfu: median(train.slice(1).map((r) => r.mfu)),
    firstLoss: train[0]?.loss,
    lastLoss: train.at(-1)?.loss,
    lastValLoss: records.filter((r) => r.type === 'val').at(-1)?.loss,
    wallTimeMs: records.at(-1)?.wallTimeMs,
  };
}

export function machineDescription(): string {
  const cpu = cpus();
  return `${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`;
}

/** The checkout's commit, marked when the working tree has uncommitted changes. */
export function commitDescription(cwd = dirname(fileURLToPath(import.meta.url))): string {
  try {
    const git = (args: string[]) =>
      execFileSync('git', args, {
        cwd,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    const commit = git(['rev-parse', '--short=12', 'HEAD']);
    const dirty = git(['status', '--porcelain', '--untracked-files=no']) !== '';
    return dirty ? `${commit} (with uncommitted changes)` : commit;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

function duration(ms: number | undefined) {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  const seconds = ms / 1000;
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

const fixed = (value: number | undefined, digits: number) =>
  value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits);
const counts = (record: Record<string, number> | undefined) =>
  Object.entries(record ?? {})
    .map(([reason, count]) => `${reason}: ${count}`)
    .join(', ') || '—';

/** What each evaluation number means, printed under its table. */
const evaluationNotes = [
  "**bits per byte**: the negative log-likelihood of held-out text in bits per UTF-8 byte, so tokenizers of any size compare (lower is better); beside it the uniform model's, log2(vocabulary) bits per token. Held out: the last tenth of Tiny Shakespeare and a tenth of the filtered web documents (by a hash of their text); neither the tokenizer nor any model saw them.",
  '**cloze**: given a few lines of held-out Tiny Shakespeare (or sentences of held-out web text), pick the true next line (sentence) among four by log-likelihood; chance is 1/4.',
  '**preference accuracy**: on the ranked reply pairs of the oasst1 trees held out of SFT and of the preference stage, the share where the score prefers the reply people ranked higher (ties count half; chance 1/2). Chat models are scored by the log-probability of each reply (summed over its tokens, so it leans to shorter replies); the reward model by its reward. The untrained and base models have no chat markers yet (they enter the vocabulary at SFT), so they are not scored on chat-formatted pairs.',
  '**DPO implicit reward**: β·(ln π(reply) − ln π_SFT(reply)), the aligned model against its frozen reference, the SFT model: the score DPO raises for chosen replies over rejected ones. The SFT model is its own reference (every reward 0, every pair a tie: 0.5 by definition).',
  "**win rate**: the reward model compares the aligned model's reply with the SFT model's to the same held-out prompt (same sampling seed); the share the aligned reply wins (ties half; chance 1/2).",
  '**replies that end**: held-out chat prompts whose SFT reply closes with the end-of-turn marker within the token budget; it shows that the chat format was learned.',
];

/**
 * The small preset with the chat markers reserved at tokenizer training against added at SFT,
 * measured once on 2026-12-02 (one run each, same seeds; see the speedrun README).
 */
export const CHAT_MARKER_MEASUREMENT: string | undefined =
  'Reserving the markers at tokenizer training instead was measured once on the small preset (one run each, same seeds, 1,500 + 600 steps): added at SFT / reserved, pre-training validation 2.201 / 2.362 bits per byte, SFT validation loss 4.769 / 5.126 nats per token, the SFT model on held-out web text 2.839 / 3.011 and on held-out Tiny Shakespeare 2.899 / 3.209 bits per byte; SFT replies ending with `<|im_end|>` at its last evaluation 44% / 94%. Reserving was not better on the losses (the gap is larger than three tokens explain, so run-to-run variance is likely part of it), so the markers stay out of the tokenizer, as the recipe has them.';

/** How this run follows the recipe where it had a choice. */
function runNotes(preset: SpeedrunPreset | undefined): string[] {
  return [
    preset?.reserveChatMarkers
      ? 'The chat markers were reserved at tokenizer training (`reserveChatMarkers` in the preset), not added at SFT as the recipe has it.'
      : "The chat markers enter the vocabulary at post-training, as the recipe has it: the tokenizer is trained with `<|endoftext|>` only; the SFT stage adds the chat markers after its vocabulary and the trainer grows the model's embedding (new rows initialised like the others).",
    CHAT_MARKER_MEASUREMENT ??
      'Reserving the markers instead was not measured (set `reserveChatMarkers: true` in a preset to compare).',
    "SFT conversations longer than the context keep their first whole turns (chat-template `keep: 'first-turns'`); when even the first reply does not fit, it is cut mid-reply and trained without `<|im_end|>`. Only conversations with no room for a reply are skipped.",
    "The oasst1 trees whose ranked pairs are held out for the preference evaluation are held out of SFT too (their threads are on SFT's validation side), so no model trained on those prompts or replies.",
  ];
}

const scoreCell = (score: Score | undefined, chanceLabel = 'chance') =>
  score && Number.isFinite(score.value)
    ? `${score.value.toFixed(3)} (${chanceLabel} ${score.chance.toFixed(score.chance >= 1 ? 2 : 3)})`
    : '—';

/** One standard error of a share measured on `count` items. */
const standardError = (score: Score) =>
  Math.sqrt((score.value * (1 - score.value)) / Math.max(1, score.count));

/** How far a share is above 1/2, in standard errors, in words (so a lucky 0.55 on 64 items reads as such). */
function aboveChance(score: Score, items = 'pairs'): string {
  if (score.value <= 0.5) return 'not above chance';
  const errors = (score.value - 0.5) / Math.max(standardError(score), 1e-9);
  return errors >= 2
    ? `above chance by ${errors.toFixed(1)} standard errors`
    : `above chance, but by only ${errors.toFixed(1)} standard error${errors.toFixed(1) === '1.0' ? '' : 's'} (within the noise of ${score.count} ${items})`;
}

/** The per-model table and a sentence on the aligned model against the SFT model. */
function evaluationTable(evaluation: Partial<EvalStats>) {
  const labels: Record<ModelName, string> = {
    untrained: 'untrained',
    base: 'base (pre-trained)',
    sft: 'SFT (chat-model/)',
    aligned: 'aligned (aligned-model/)',
  };
  const header = [
    'model',
    'bits/byte, held-out web',
    'bits/byte, held-out Shakespeare',
    'cloze, Shakespeare lines',
    'cloze, web sentences',
    'held-out preference accuracy',
    'DPO implicit reward accuracy',
    'reward-model win rate over SFT',
  ];
  const rows: string[][] = [];
  const models = evaluation.models;
  for (const name of MODELS) {
    const m = models?.[name];
    if (!m) continue;
    const chat = name === 'sft' || name === 'aligned';
    rows.push([
      labels[name],
      scoreCell(m.webBitsPerByte, 'uniform'),
      scoreCell(m.shakespeareBitsPerByte, 'uniform'),
      scoreCell(m.clozeShakespeare),
      scoreCell(m.clozeWeb),
      chat ? `${scoreCell(m.preferenceLogProb)} by log p` : '— (no chat markers yet)',
      name === 'sft'
        ? `${scoreCell(m.preferenceImplicitReward)}: its own reference`
        : scoreCell(m.preferenceImplicitReward),
      name === 'sft' ? '— (the baseline)' : scoreCell(m.winRateOverSft),
    ]);
  }
  const reward = evaluation.rewardModel?.preferenceAccuracy;
  if (reward) rows.push(['reward model', '', '', '', '', `${scoreCell(reward)} by reward`, '', '']);
  const verdict: string[] = [];
  const sft = models?.sft.preferenceLogProb;
  const aligned = models?.aligned.preferenceLogProb;
  const implicit = models?.aligned.preferenceImplicitReward;
  if (sft && aligned && implicit) {
    const pm = (score: Score) => `${score.value.toFixed(3)} ± ${standardError(score).toFixed(3)}`;
    verdict.push(
      `On the ${aligned.count} held-out preference pairs, the aligned model prefers the chosen reply by log-probability in ${pm(aligned)} of them against the SFT model's ${pm(sft)} (± one standard error); ${aligned.value > sft.value ? 'the aligned model is ahead' : 'the aligned model is not ahead'} on this measure. By DPO's implicit reward (what DPO trains, against the SFT reference) it is ${pm(implicit)}, against 0.5 for the SFT model: ${aboveChance(implicit)}.`,
    );
  }
  const win = models?.aligned.winRateOverSft;
  if (win) {
    verdict.push(
      `The reward model prefers the aligned model's reply on ${win.value.toFixed(3)} ± ${standardError(win).toFixed(3)} of ${win.count} held-out prompts (chance 0.5): ${aboveChance(win, 'prompts')}.`,
    );
  }
  return { header, rows, verdict };
}

export interface ReportOptions {
  outDir: string;
  /** The report stage's own folder. */
  dir: string;
  markers: DoneMarker[];
  presetName: string;
  /** The preset the run used: model config and hyperparameters. */
  preset?: SpeedrunPreset;
  /** Default: `git rev-parse` of the checkout. */
  commit?: string;
  now?: () => Date;
}

/** Builds the report from the finished stages' markers and files; returns the paths written. */
export function writeReport(options: ReportOptions) {
  const { dir, markers, preset } = options;
  const stats = (name: string) => markers.find((m) => m.stage === name)?.stats ?? {};
  const preference = stats('preference') as Partial<PreferenceStats>;
  const pretrainRecords = readMetrics(join(options.outDir, 'pretrain', 'metrics.jsonl'));
  const sftRecords = readMetrics(join(options.outDir, 'sft', 'metrics.jsonl'));
  const rewardRecords = preference.reward
    ? readMetrics(join(options.outDir, preference.reward.metricsPath))
    : [];
  const dpoRecords = preference.dpo
    ? readMetrics(join(options.outDir, preference.dpo.metricsPath))
    : [];
  const plots: Record<string, PlotOptions> = {
    pretrain: lossPlot('Pre-training loss (base model)', pretrainRecords),
    sft: lossPlot('Chat fine-tuning loss (SFT)', sftRecords),
  };
  if (rewardRecords.length > 0)
    plots.reward = lossPlot('Reward model loss (Bradley–Terry)', rewardRecords);
  if (dpoRecords.length > 0) plots.dpo = lossPlot('DPO loss (aligned model)', dpoRecords);
  const svgs: Record<string, string> = {};
  for (const [name, plot] of Object.entries(plots)) {
    svgs[`${name}-loss.png`] = renderSvg(plot);
    writeFileSync(join(dir, `${name}-loss.png`), renderPng(plot));
    writeFileSync(join(dir, `${name}-loss.svg`), svgs[`${name}-loss.png`]);
  }
  const base = trainingSummary(pretrainRecords);
  const chat = trainingSummary(sftRecords);
  const crawl = stats('crawl') as { pages?: number; warcFiles?: number; warcBytes?: number };
  const filter = stats('filter') as {
    stages?: StageTable[];
    read?: number;
    kept?: number;
    dropped?: number;
    errored?: number;
    skipped?: Record<string, Record<string, { count: number; bytes?: number }>>;
  };
  const tokenizer = stats('tokenizer') as { vocabSize?: number; bytesPerToken?: number };
  const shards = stats('shards') as Partial<ShardsStats>;
  const sft = stats('sft') as Partial<SftStats>;
  const evaluation = stats('eval') as Partial<EvalStats>;
  const backend = String(stats('pretrain').backend ?? 'unknown');
  const totalMs = markers.reduce((sum, marker) => sum + marker.durationMs, 0);
  const peak = defaultTrainingConfig.peakFlopsPerSecond ?? 1.9e11;

  const md: string[] = [];
  const section = (title: string) => md.push('', `## ${title}`, '');
  const table = (header: string[], rows: (string | number)[][]) => {
    if (md.length > 0 && md.at(-1) !== '') md.push('');
    md.push(
      `| ${header.map(markdownCell).join(' | ')} |`,
      `| ${header.map(() => '---').join(' | ')} |`,
    );
    for (const row of rows) md.push(`| ${row.map(markdownCell).join(' | ')} |`);
  };
  const paragraph = (text: string) => md.push('', text);

  md.push('# lmkit speedrun report', '');
  table(
    ['', ''],
    [
      ['preset', options.presetName],
      ['date', (options.now ?? (() => new Date()))().toISOString()],
      ['commit', options.commit ?? commitDescription()],
      ['machine', machineDescription()],
      ['tensor backend', backend],
      ['total time (all stages)', duration(totalMs)],
    ],
  );

  section('Model');
  if (preset) {
    const vocabSize = tokenizer.vocabSize ?? preset.vocabSize;
    const config = { ...preset.model, vocabSize, bias: true };
    table(
      [
        'layers',
        'heads',
        'embedding width',
        'context (tokens)',
        'vocabulary',
        'dropout',
        'parameters',
      ],
      [
        [
          config.nLayer,
          config.nHead,
          config.nEmbd,
          config.blockSize,
          vocabSize,
          config.dropout,
          parameterCount(config).toLocaleString('en-US'),
        ],
      ],
    );
    paragraph(
      'GPT-2 architecture (pre-LayerNorm, GELU, tied input and output embeddings); parameters counted with the embeddings.',
    );
  } else {
    paragraph('The preset was not given to the report; see the run folder.');
  }

  section('Hyperparameters');
  if (preset) {
    const d = defaultTrainingConfig;
    const row = (
      phase: string,
      p: {
        batchSize: number;
        sequenceLength?: number;
        maxSteps: number;
        maxMinutes?: number;
        learningRate: number;
        evalEvery: number;
      },
      warmup: number | string,
    ) => [
      phase,
      p.batchSize,
      p.sequenceLength ?? 'longest pair',
      p.maxSteps,
      p.maxMinutes === undefined ? '—' : `${p.maxMinutes} min`,
      p.learningRate,
      warmup,
      p.evalEvery,
    ];
    table(
      [
        'phase',
        'batch',
        'sequence',
        'max steps',
        'time budget',
        'peak learning rate',
        'warm-up steps',
        'eval every',
      ],
      [
        row('pretrain', preset.pretrain, preset.pretrain.warmupSteps),
        row('sft', preset.sft, '5%'),
        row('reward model', preset.preference.reward, '5%'),
        row(`DPO (β ${preset.preference.dpo.beta})`, preset.preference.dpo, '5%'),
      ],
    );
    paragraph(
      `AdamW (β₁ ${d.beta1}, β₂ ${d.beta2}, ε ${d.epsilon}, weight decay ${d.weightDecay}), gradient clipping at ${d.gradientClip}, pre-training learning rate on a cosine schedule down to a tenth of its peak, seed ${d.seed}.`,
    );
  }

  section('Data');
  table(
    ['source', 'count'],
    [
      ['web pages crawled into WARC', crawl.pages ?? '—'],
      ['WARC files (with the shipped Common Crawl samples)', crawl.warcFiles ?? '—'],
      ['documents read by the filters', filter.read ?? '—'],
      ['documents kept', filter.kept ?? '—'],
      ['documents dropped (by a filter)', filter.dropped ?? '—'],
      ['documents errored (unreadable)', filter.errored ?? '—'],
      ['web documents into the shards', shards.webDocuments ?? '—'],
      [
        'Tiny Shakespeare passages (its first 90%), into the shards',
        shards.shakespeareDocuments ?? '—',
      ],
      ['web documents held out for evaluation', shards.heldOutWebDocuments ?? '—'],
      ['documents in the token shards', shards.documents ?? '—'],
      ['tokens in the shards', shards.tokens ?? '—'],
      ['shards (validation + train)', `${shards.val?.length ?? 0} + ${shards.train?.length ?? 0}`],
      ['SFT: OpenAssistant threads loaded', sft.oasstThreads ?? '—'],
      ['SFT: identity conversations generated', sft.identityConversations ?? '—'],
      [
        'SFT: conversations longer than the context, truncated at a turn boundary',
        sft.truncatedTooLong ?? '—',
      ],
      ['SFT: of those, first reply cut mid-reply', sft.cutReplies ?? '—'],
      ['SFT: conversations skipped (no room for a reply)', sft.skippedTooLong ?? '—'],
      [
        'SFT: oasst1 threads of the held-out preference trees (validation side)',
        sft.heldOutPreferenceThreads ?? '—',
      ],
      [
        'SFT: vocabulary of the base → chat model (chat markers added)',
        sft.baseVocabSize === undefined ? '—' : `${sft.baseVocabSize} → ${sft.chatVocabSize}`,
      ],
      ['SFT: conversations trained on', sft.trainConversations ?? '—'],
      ['SFT: conversations held out for validation', sft.validationConversations ?? '—'],
      ['preference: oasst1 ranked-reply pairs DPO trains on', preference.trainPairs ?? '—'],
      ['preference: of those, replies cut to fit the context', preference.truncatedPairs ?? '—'],
      [
        'preference: pairs the reward model trains on (replies whole)',
        preference.rewardPairs ?? '—',
      ],
      [
        'preference: pairs of the held-out trees (whole, never cut)',
        preference.validationPairs ?? '—',
      ],
      [
        'preference: pairs skipped (a side longer than the context)',
        preference.skippedTooLong ?? '—',
      ],
    ],
  );
  const skipped = Object.entries(filter.skipped ?? {});
  if (skipped.length > 0) {
    paragraph('Records skipped while reading (corrupt or unreadable parts of a file):');
    table(
      ['file', 'reason: count'],
      skipped.map(([file, reasons]) => [
        file,
        Object.entries(reasons)
          .map(([reason, value]) => `${reason}: ${value.count}`)
          .join(', '),
      ]),
    );
  }
  paragraph('Documents kept and dropped per filter stage and reason:');
  table(
    ['stage', 'read', 'kept', 'dropped (reason: count)', 'errored (reason: count)'],
    (filter.stages ?? []).map((s) => [
      s.stage,
      s.read,
      s.kept,
      counts(s.dropped),
      counts(s.errored),
    ]),
  );
  paragraph(
    `${filter.read ?? '?'} read = ${filter.kept ?? '?'} kept + ${filter.dropped ?? '?'} dropped + ${filter.errored ?? '?'} errored.`,
  );

  section('Tokenizer');
  table(
    ['vocabulary', 'bytes per token'],
    [[tokenizer.vocabSize ?? '?', fixed(tokenizer.bytesPerToken, 3)]],
  );

  section('Stages');
  table(
    ['stage', 'time', 'finished'],
    [
      ...markers.map((m) => [m.stage, duration(m.durationMs), m.finishedAt]),
      ['total', duration(totalMs), ''],
    ],
  );

  section('Training');
  const trainingRow = (phase: string, s: ReturnType<typeof trainingSummary>) => [
    phase,
    s.steps,
    s.tokens,
    duration(s.wallTimeMs),
    fixed(s.tokensPerSecond, 0),
    Number.isFinite(s.mfu) ? `${(s.mfu * 100).toFixed(2)}%` : '—',
    fixed(s.firstLoss, 4),
    fixed(s.lastLoss, 4),
    fixed(s.lastValLoss, 4),
  ];
  table(
    [
      'phase',
      'steps',
      'tokens',
      'time',
      'tokens/s (median)',
      'MFU (median)',
      'first loss',
      'last loss',
      'last val loss',
    ],
    [
      trainingRow('pretrain', base),
      trainingRow('sft', chat),
      ...(rewardRecords.length > 0
        ? [trainingRow('reward model', trainingSummary(rewardRecords))]
        : []),
      ...(dpoRecords.length > 0 ? [trainingRow('DPO', trainingSummary(dpoRecords))] : []),
    ],
  );
  if (preference.reward && preference.dpo) {
    paragraph(
      `The reward model trains on ${preference.rewardPairs} pairs and DPO on ${preference.trainPairs}, two rows per pair (the MFU counts one forward and backward pass per row; DPO's frozen reference is scored once, before training). At their last evaluation on held-out pairs: the reward model's accuracy ${fixed(preference.reward.heldOutAccuracy, 3)}, DPO's implicit-reward accuracy ${fixed(preference.dpo.heldOutAccuracy, 3)} with margin ${fixed(preference.dpo.heldOutMargin, 4)} (chance 0.5).${preference.online ? ` Online DPO: ${preference.online.map((r) => `round ${r.round}, ${r.pairs} new pairs (best reward ${r.bestReward.toFixed(3)} over worst ${r.worstReward.toFixed(3)})`).join('; ')}.` : ''}`,
    );
  }
  paragraph(
    `MFU is the model's FLOPs per second (6 × parameters + attention, per token, forward and backward) divided by an assumed peak of ${peak.toExponential(1)} FLOP/s: float32 matrix multiplication measured with OpenBLAS on a 2-core CI machine. Other machines have other peaks (set \`peakFlopsPerSecond\` in the trainer config).`,
  );
  paragraph(
    "The curves show each step's training loss (light), its exponential moving average over about 5% of the steps (bias-corrected, so the start is not pulled towards 0) and the validation loss.",
  );
  md.push('', '![pre-training loss](pretrain-loss.png)', '', '![SFT loss](sft-loss.png)');
  if (plots.reward) md.push('', '![reward model loss](reward-loss.png)');
  if (plots.dpo) md.push('', '![DPO loss](dpo-loss.png)');

  section('Evaluation');
  const scores = evaluationTable(evaluation);
  table(scores.header, scores.rows);
  const held = evaluation.heldOut;
  if (held) {
    paragraph(
      `Held out: ${held.webDocuments} web documents (${held.webBytes.toLocaleString('en-US')} bytes), ${held.shakespeareBytes.toLocaleString('en-US')} bytes of Tiny Shakespeare; cloze items ${held.clozeShakespeareItems} (Shakespeare) and ${held.clozeWebItems} (web); ${held.preferencePairs} preference pairs; ${held.winRatePrompts} prompts for the win rate. DPO's β is ${evaluation.beta}.`,
    );
  }
  for (const line of scores.verdict) paragraph(line);
  paragraph(
    `${evaluation.repliesEndingWithImEnd ?? 0} of ${evaluation.replies ?? 0} SFT replies to held-out prompts end with \`<|im_end|>\` within the token budget.`,
  );
  md.push('');
  for (const note of evaluationNotes) md.push(`- ${note}`);
  section('Notes');
  for (const note of runNotes(preset)) md.push(`- ${note}`);

  section('Samples from the base model');
  table(
    ['prompt', 'completion'],
    (evaluation.baseSamples ?? []).map((s) => [s.prompt, s.completion]),
  );
  const chatSamplesTable = (title: string, samples: EvalStats['chatSamples'] | undefined) => {
    section(title);
    table(
      ['user', 'assistant', 'ended with <|im_end|>'],
      (samples ?? []).map((s) => [s.prompt, s.completion, s.endedWithImEnd ? 'yes' : 'no']),
    );
  };
  chatSamplesTable('Samples from the chat model', evaluation.chatSamples);
  chatSamplesTable('Samples from the aligned model', evaluation.alignedSamples);

  const markdown = `${md.join('\n')}\n`;
  const markdownPath = join(dir, 'report.md');
  const htmlPath = join(dir, 'report.html');
  writeFileSync(markdownPath, markdown);
  writeFileSync(htmlPath, renderHtml(markdown, svgs));
  return { markdownPath, htmlPath, base, chat };
}

const style =
  'body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}' +
  'table{border-collapse:collapse;margin:.5em 0;display:block;overflow-x:auto}' +
  'td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}th{background:#f3f3f3}' +
  'svg{max-width:100%;height:auto;margin:.5em 0}';

/** The Markdown as one self-contained page: rendered by marked, plot images inlined as SVG. */
export function renderHtml(markdown: string, svgs: Record<string, string>): string {
  const marked = new Marked({
    gfm: true,
    renderer: {
      image({ href, text }) {
        return svgs[href] ?? `<img src="${href}" alt="${text}">`;
      },
    },
  });
  const body = marked.parse(markdown, { async: false });
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>lmkit speedrun report</title><style>${style}</style></head><body>\n${body}</body></html>\n`;
}

export const reportStage: Stage<SpeedrunPreset> = {
  name: 'report',
  title: 'report: Markdown and HTML with plots and samples',
  async run({ outDir, dir, finished, preset, presetName, relative }) {
    const written = writeReport({ outDir, dir, markers: [...finished], preset, presetName });
    return { markdownPath: relative(written.markdownPath), htmlPath: relative(written.htmlPath) };
  },
  summarize: (s) => `${s.htmlPath}`,
};
