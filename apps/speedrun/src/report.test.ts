// The report card from made-up stage markers and metrics: everything nanochat's card shows (commit,
// model and parameter count, hyperparameters, data mix with skips, total time, the MFU peak,
// what each evaluation means), valid Markdown tables whatever the samples hold, and the HTML
// rendered from that Markdown with a viewport and the plots inline.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parameterCount } from '@lmkit/gpt-model';
import { Lexer, type Tokens } from 'marked';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { speedrunPresets } from './presets.ts';
import { markdownCell, smoothed, smoothingWeight, writeReport } from './report.ts';
import type { DoneMarker } from './runner.ts';

let outDir: string;
let written: ReturnType<typeof writeReport>;

function metrics(steps: number, seed: number) {
  const lines: string[] = [];
  let noise = seed;
  for (let step = 1; step <= steps; step++) {
    noise = (noise * 1103515245 + 12345) % 2 ** 31;
    const loss = 6 / Math.sqrt(step) + (noise / 2 ** 31 - 0.5);
    const common = { tokensSeen: step * 256, trainingTimeMs: step * 100, wallTimeMs: step * 120 };
    lines.push(
      JSON.stringify({
        type: 'train',
        step,
        totalSteps: steps,
        loss,
        learningRate: 1e-3,
        gradNorm: 1,
        durationMs: 100,
        tokensPerSecond: 2560,
        mfu: 0.0123,
        ...common,
      }),
    );
    if (step % 10 === 0)
      lines.push(JSON.stringify({ type: 'val', step, loss: 6 / Math.sqrt(step), ...common }));
  }
  return `${lines.join('\n')}\n`;
}

const marker = (stage: string, durationMs: number, stats: Record<string, unknown>): DoneMarker => ({
  stage,
  presetName: 'tiny',
  finishedAt: '2026-01-01T00:00:00.000Z',
  durationMs,
  stats,
});

beforeAll(() => {
  outDir = mkdtempSync(join(tmpdir(), 'lmkit-report-'));
  for (const [stage, seed] of [
    ['pretrain', 1],
    ['sft', 2],
  ] as const) {
    mkdirSync(join(outDir, stage));
    writeFileSync(join(outDir, stage, 'metrics.jsonl'), metrics(40, seed));
  }
  mkdirSync(join(outDir, 'report'));
  const markers = [
    marker('crawl', 1500, { pages: 24, warcFiles: 3, warcBytes: 1000 }),
    marker('filter', 2500, {
      read: 100,
      kept: 60,
      dropped: 38,
      errored: 2,
      stages: [
        {
          stage: 'gopher',
          read: 100,
          kept: 60,
          dropped: { 'too-short': 38 },
          errored: { 'invalid-encoding': 2 },
        },
      ],
      skipped: { 'sample.warc.gz': { 'truncated-gzip': { count: 3, bytes: 900 } } },
    }),
    marker('tokenizer', 1000, { vocabSize: 512, bytesPerToken: 3.21 }),
    marker('shards', 1000, { documents: 60, tokens: 40_000, val: ['a'], train: ['b', 'c'] }),
    marker('pretrain', 120_000, { backend: 'wasm' }),
    marker('sft', 30_000, {
      trainConversations: 90,
      validationConversations: 10,
      skippedTooLong: 4,
      oasstThreads: 50,
      identityConversations: 40,
    }),
    marker('eval', 5000, {
      bitsPerByte: {
        untrained: { lossNats: 6.2, bitsPerByte: 2.8 },
        base: { lossNats: 4.1, bitsPerByte: 1.9 },
      },
      baseSamples: [
        { prompt: 'a | b', completion: 'x\n| --- |\n<script>alert(1)</script> *bold* `tick`' },
      ],
      chatSamples: [
        { prompt: 'pipe|in', completion: 'reply with <|im_end|> inside', endedWithImEnd: true },
      ],
      replies: 4,
      repliesEndingWithImEnd: 3,
    }),
  ];
  written = writeReport({
    outDir,
    dir: join(outDir, 'report'),
    markers,
    presetName: 'tiny',
    preset: speedrunPresets.tiny,
    commit: 'abc123def456',
    now: () => new Date('2026-01-02T03:04:05Z'),
  });
});
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('report card', () => {
  it('shows the run, the model with its parameter count, hyperparameters, data and the MFU peak', () => {
    const md = readFileSync(written.markdownPath, 'utf8');
    expect(md).toContain('| commit | abc123def456 |');
    expect(md).toContain('| total time (all stages) | 2 min 41 s |');
    const params = parameterCount({ ...speedrunPresets.tiny.model, vocabSize: 512, bias: true });
    expect(md).toContain(`| 2 | 2 | 64 | 64 | 512 | 0 | ${params.toLocaleString('en-US')} |`);
    expect(md).toMatch(/\| pretrain \| 4 \| 64 \| 40 \| — \| 0\.003 \| 5 \| 20 \|/);
    expect(md).toMatch(/AdamW \(β₁ 0\.9, β₂ 0\.95/);
    expect(md).toContain('| SFT: conversations skipped (longer than the context) | 4 |');
    expect(md).toContain('| Tiny Shakespeare passages, into the shards | 0 |');
    expect(md).toContain('| sample.warc.gz | truncated-gzip: 3 |');
    expect(md).toMatch(/assumed peak of 1\.9e\+11 FLOP\/s/);
    expect(md).toMatch(/\*\*bits per byte\*\*: /);
  });

  it('writes Markdown tables that parse with the right number of cells, whatever the samples hold', () => {
    const md = readFileSync(written.markdownPath, 'utf8');
    const tables = new Lexer()
      .lex(md)
      .filter((token): token is Tokens.Table => token.type === 'table');
    expect(tables.length).toBeGreaterThanOrEqual(10);
    for (const table of tables) {
      for (const row of table.rows) expect(row).toHaveLength(table.header.length);
    }
    const samples = tables.find((table) => table.header[0].text === 'prompt')!;
    expect(samples.rows[0][0].text).toBe('a | b');
    expect(md).not.toContain('<script>');
    expect(markdownCell('a|b\n<c>')).toBe('a\\|b ↵ &lt;c&gt;');
  });

  it('renders the HTML from the Markdown, with a viewport and the smoothed plots inline', () => {
    const html = readFileSync(written.htmlPath, 'utf8');
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html.match(/<svg/g)).toHaveLength(2);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
    expect(html).toMatch(/<td>a \| b<\/td>/);
    expect(html).toMatch(/moving average, 2 steps/);
    expect(html).toMatch(/<th>ended with &lt;\|im_end\|&gt;<\/th>/);
  });

  it('smooths a curve with a bias-corrected moving average', () => {
    expect(smoothed([4, 2], 0.5).map((v) => Number(v.toFixed(3)))).toEqual([4, 2.667]);
    expect(smoothingWeight(40)).toBe(0.5);
    expect(smoothingWeight(1500)).toBeCloseTo(0.9867, 4);
    const noisy = [5, 1, 5, 1, 5, 1, 5, 1];
    const out = smoothed(noisy, 0.9);
    const spread = (values: number[]) =>
      Math.max(...values.slice(4)) - Math.min(...values.slice(4));
    expect(spread(out)).toBeLessThan(spread(noisy) / 4);
  });
});
