// Stage 8: the report card, as Markdown (with PNG plots beside it) and as one self-contained HTML
// page (inline SVG plots): loss curves, per-stage stats, tokenizer, training speed, samples, machine.
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import {
  type MetricsRecord,
  type PlotOptions,
  readMetrics,
  renderPng,
  renderSvg,
} from '@lmkit/trainer';
import type { SpeedrunPreset } from './presets.ts';
import type { DoneMarker, Stage } from './runner.ts';

interface StageTable {
  stage: string;
  read: number;
  kept: number;
  dropped: Record<string, number>;
  errored: Record<string, number>;
}

function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function lossPlot(title: string, records: MetricsRecord[]): PlotOptions {
  const train = records.filter((r) => r.type === 'train');
  const val = records.filter((r) => r.type === 'val');
  return {
    title,
    xLabel: 'tokens seen',
    yLabel: 'loss (nats/token)',
    series: [
      {
        name: 'train',
        color: '#1f77b4',
        points: train.map((r) => [r.tokensSeen, r.loss] as const),
      },
      {
        name: 'validation',
        color: '#d62728',
        points: val.map((r) => [r.tokensSeen, r.loss] as const),
      },
    ],
  };
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!,
  );
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
  };
}

export function machineDescription(): string {
  const cpu = cpus();
  return `${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`;
}

/** Builds the report from the finished stages' markers and files; returns the paths written. */
export function writeReport(options: {
  outDir: string;
  dir: string;
  markers: DoneMarker[];
  presetName: string;
}) {
  const { dir, markers } = options;
  const stats = (name: string) => markers.find((m) => m.stage === name)?.stats ?? {};
  const pretrainRecords = readMetrics(join(options.outDir, 'pretrain', 'metrics.jsonl'));
  const sftRecords = readMetrics(join(options.outDir, 'sft', 'metrics.jsonl'));
  const plots = {
    pretrain: lossPlot('Pre-training loss (base model)', pretrainRecords),
    sft: lossPlot('Chat fine-tuning loss (SFT)', sftRecords),
  };
  for (const [name, plot] of Object.entries(plots)) {
    writeFileSync(join(dir, `${name}-loss.png`), renderPng(plot));
    writeFileSync(join(dir, `${name}-loss.svg`), renderSvg(plot));
  }
  const base = trainingSummary(pretrainRecords);
  const chat = trainingSummary(sftRecords);
  const filter = stats('filter') as {
    stages?: StageTable[];
    read?: number;
    kept?: number;
    dropped?: number;
    errored?: number;
  };
  const tokenizer = stats('tokenizer') as { vocabSize?: number; bytesPerToken?: number };
  const shards = stats('shards') as {
    tokens?: number;
    documents?: number;
    val?: string[];
    train?: string[];
  };
  const evaluation = stats('eval') as {
    bitsPerByte?: Record<string, { lossNats: number; bitsPerByte: number }>;
    baseSamples?: { prompt: string; completion: string }[];
    chatSamples?: { prompt: string; completion: string; endedWithImEnd: boolean }[];
    replies?: number;
    repliesEndingWithImEnd?: number;
  };
  const machine = machineDescription();
  const backend = String(stats('pretrain').backend ?? 'unknown');

  const md: string[] = [];
  const html: string[] = [];
  const section = (title: string) => {
    md.push('', `## ${title}`, '');
    html.push(`<h2>${escapeHtml(title)}</h2>`);
  };
  const table = (header: string[], rows: (string | number)[][]) => {
    md.push(`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`);
    for (const row of rows)
      md.push(
        `| ${row.map((c) => String(c).replace(/\|/g, '\\|').replace(/\n/g, ' ')).join(' | ')} |`,
      );
    html.push(
      `<table><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>${rows
        .map((row) => `<tr>${row.map((c) => `<td>${escapeHtml(String(c))}</td>`).join('')}</tr>`)
        .join('')}</table>`,
    );
  };

  md.push(
    `# lmkit speedrun report`,
    '',
    `Preset \`${options.presetName}\` · ${new Date().toISOString()} · ${machine} · tensor backend \`${backend}\``,
  );
  html.push(
    `<h1>lmkit speedrun report</h1><p>Preset <code>${escapeHtml(options.presetName)}</code> · ${new Date().toISOString()} · ${escapeHtml(machine)} · tensor backend <code>${escapeHtml(backend)}</code></p>`,
  );

  section('Stages');
  table(
    ['stage', 'time', 'finished'],
    markers.map((m) => [m.stage, `${(m.durationMs / 1000).toFixed(1)} s`, m.finishedAt]),
  );

  section('Filtering (documents kept and dropped per stage and reason)');
  table(
    ['stage', 'read', 'kept', 'dropped (reason: count)', 'errored (reason: count)'],
    (filter.stages ?? []).map((s) => [
      s.stage,
      s.read,
      s.kept,
      Object.entries(s.dropped)
        .map(([r, n]) => `${r}: ${n}`)
        .join(', ') || '—',
      Object.entries(s.errored)
        .map(([r, n]) => `${r}: ${n}`)
        .join(', ') || '—',
    ]),
  );
  md.push(
    '',
    `${filter.read} read = ${filter.kept} kept + ${filter.dropped} dropped + ${filter.errored} errored.`,
  );
  html.push(
    `<p>${filter.read} read = ${filter.kept} kept + ${filter.dropped} dropped + ${filter.errored} errored.</p>`,
  );

  section('Tokenizer and shards');
  table(
    ['vocabulary', 'bytes per token', 'documents', 'tokens', 'shards (val + train)'],
    [
      [
        tokenizer.vocabSize ?? '?',
        (tokenizer.bytesPerToken ?? Number.NaN).toFixed(3),
        shards.documents ?? '?',
        shards.tokens ?? '?',
        `${shards.val?.length ?? 0} + ${shards.train?.length ?? 0}`,
      ],
    ],
  );

  section('Training');
  table(
    [
      'phase',
      'steps',
      'tokens',
      'tokens/s (median)',
      'MFU (median)',
      'first loss',
      'last loss',
      'last val loss',
    ],
    [
      [
        'pretrain',
        base.steps,
        base.tokens,
        base.tokensPerSecond.toFixed(0),
        `${(base.mfu * 100).toFixed(2)}%`,
        base.firstLoss?.toFixed(4) ?? '—',
        base.lastLoss?.toFixed(4) ?? '—',
        base.lastValLoss?.toFixed(4) ?? '—',
      ],
      [
        'sft',
        chat.steps,
        chat.tokens,
        chat.tokensPerSecond.toFixed(0),
        `${(chat.mfu * 100).toFixed(2)}%`,
        chat.firstLoss?.toFixed(4) ?? '—',
        chat.lastLoss?.toFixed(4) ?? '—',
        chat.lastValLoss?.toFixed(4) ?? '—',
      ],
    ],
  );
  md.push('', '![pre-training loss](pretrain-loss.png)', '', '![SFT loss](sft-loss.png)');
  html.push(`<div class="plots">${renderSvg(plots.pretrain)}${renderSvg(plots.sft)}</div>`);

  section('Evaluation');
  table(
    ['model', 'validation loss (nats/token)', 'bits per byte'],
    Object.entries(evaluation.bitsPerByte ?? {}).map(([name, v]) => [
      name,
      v.lossNats.toFixed(4),
      v.bitsPerByte.toFixed(4),
    ]),
  );
  const replyLine = `${evaluation.repliesEndingWithImEnd ?? 0} of ${evaluation.replies ?? 0} chat replies to held-out prompts end with <|im_end|> within the token budget.`;
  md.push('', replyLine.replace(/</g, '&lt;'));
  html.push(`<p>${escapeHtml(replyLine)}</p>`);

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

  const markdownPath = join(dir, 'report.md');
  const htmlPath = join(dir, 'report.html');
  writeFileSync(markdownPath, `${md.join('\n')}\n`);
  writeFileSync(
    htmlPath,
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>lmkit speedrun report</title><style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top;white-space:pre-wrap}th{background:#f3f3f3}.plots svg{max-width:100%;height:auto;margin:.5em 0}</style></head><body>${html.join('\n')}</body></html>\n`,
  );
  return { markdownPath, htmlPath, base, chat };
}

export const reportStage: Stage<SpeedrunPreset> = {
  name: 'report',
  title: 'report: Markdown and HTML with plots and samples',
  async run({ outDir, dir, finished, presetName, relative }) {
    const written = writeReport({ outDir, dir, markers: [...finished], presetName });
    return { markdownPath: relative(written.markdownPath), htmlPath: relative(written.htmlPath) };
  },
  summarize: (s) => `${s.htmlPath}`,
};
