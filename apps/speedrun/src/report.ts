// Stage 8: the report card, as nanochat writes one: the run (commit, machine, total time), the model
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
import type { SpeedrunPreset } from './presets.ts';
import type { DoneMarker, Stage } from './runner.ts';

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
  '**validation loss**: mean cross-entropy of the next token on the held-out shard (nats per token; lower is better; ln(vocabulary) is a uniform guess).',
  '**bits per byte**: the same loss per UTF-8 byte of the held-out text, in bits, so tokenizers of any size compare; 8 would be no better than storing the bytes.',
  '**untrained / base / chat**: the random initial model, the pre-trained model and the chat-tuned model on the same text; training should lower each in turn (chat tuning may raise it slightly on web text).',
  '**replies that end**: held-out chat prompts whose reply closes with the end-of-turn marker within the token budget; it shows that the chat format was learned.',
];

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
  const pretrainRecords = readMetrics(join(options.outDir, 'pretrain', 'metrics.jsonl'));
  const sftRecords = readMetrics(join(options.outDir, 'sft', 'metrics.jsonl'));
  const plots = {
    pretrain: lossPlot('Pre-training loss (base model)', pretrainRecords),
    sft: lossPlot('Chat fine-tuning loss (SFT)', sftRecords),
  };
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
  const shards = stats('shards') as {
    tokens?: number;
    documents?: number;
    val?: string[];
    train?: string[];
  };
  const sft = stats('sft') as {
    trainConversations?: number;
    validationConversations?: number;
    skippedTooLong?: number;
    oasstThreads?: number;
    identityConversations?: number;
  };
  const evaluation = stats('eval') as {
    bitsPerByte?: Record<string, { lossNats: number; bitsPerByte: number }>;
    baseSamples?: { prompt: string; completion: string }[];
    chatSamples?: { prompt: string; completion: string; endedWithImEnd: boolean }[];
    replies?: number;
    repliesEndingWithImEnd?: number;
  };
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
      p: SpeedrunPreset['pretrain'] | SpeedrunPreset['sft'],
      warmup: number | string,
    ) => [
      phase,
      p.batchSize,
      p.sequenceLength,
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
      [row('pretrain', preset.pretrain, preset.pretrain.warmupSteps), row('sft', preset.sft, '—')],
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
      ['web documents kept, into the shards', filter.kept ?? '—'],
      [
        'Tiny Shakespeare passages, into the shards',
        shards.documents !== undefined && filter.kept !== undefined
          ? shards.documents - filter.kept
          : '—',
      ],
      ['documents in the token shards', shards.documents ?? '—'],
      ['tokens in the shards', shards.tokens ?? '—'],
      ['shards (validation + train)', `${shards.val?.length ?? 0} + ${shards.train?.length ?? 0}`],
      ['SFT: OpenAssistant threads loaded', sft.oasstThreads ?? '—'],
      ['SFT: identity conversations generated', sft.identityConversations ?? '—'],
      ['SFT: conversations skipped (longer than the context)', sft.skippedTooLong ?? '—'],
      ['SFT: conversations trained on', sft.trainConversations ?? '—'],
      ['SFT: conversations held out for validation', sft.validationConversations ?? '—'],
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
    [trainingRow('pretrain', base), trainingRow('sft', chat)],
  );
  paragraph(
    `MFU is the model's FLOPs per second (6 × parameters + attention, per token, forward and backward) divided by an assumed peak of ${peak.toExponential(1)} FLOP/s: float32 matrix multiplication measured with OpenBLAS on a 2-core CI machine. Other machines have other peaks (set \`peakFlopsPerSecond\` in the trainer config).`,
  );
  paragraph(
    "The curves show each step's training loss (light), its exponential moving average over about 5% of the steps (bias-corrected, so the start is not pulled towards 0) and the validation loss.",
  );
  md.push('', '![pre-training loss](pretrain-loss.png)', '', '![SFT loss](sft-loss.png)');

  section('Evaluation');
  table(
    ['model', 'validation loss (nats/token)', 'bits per byte'],
    Object.entries(evaluation.bitsPerByte ?? {}).map(([name, v]) => [
      name,
      fixed(v.lossNats, 4),
      fixed(v.bitsPerByte, 4),
    ]),
  );
  paragraph(
    `${evaluation.repliesEndingWithImEnd ?? 0} of ${evaluation.replies ?? 0} chat replies to held-out prompts end with \`<|im_end|>\` within the token budget.`,
  );
  md.push('');
  for (const note of evaluationNotes) md.push(`- ${note}`);

  section('Samples from the base model');
  table(
    ['prompt', 'completion'],
    (evaluation.baseSamples ?? []).map((s) => [s.prompt, s.completion]),
  );
  section('Samples from the chat model');
  table(
    ['user', 'assistant', 'ended with <|im_end|>'],
    (evaluation.chatSamples ?? []).map((s) => [
      s.prompt,
      s.completion,
      s.endedWithImEnd ? 'yes' : 'no',
    ]),
  );

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
