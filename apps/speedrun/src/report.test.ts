// The report card from made-up stage markers and metrics: everything nanochat's card shows (commit,
// model and parameter count, hyperparameters, data mix with skips, total time, the MFU peak,
// what each evaluation means), the per-model evaluation table with chance beside every score,
// valid Markdown tables whatever the samples hold, and the HTML rendered from that Markdown with a
// viewport and the plots inline.
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

const score = (value: number, chance: number, count: number) => ({ value, chance, count });
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
    ['preference/reward', 3],
    ['preference/dpo', 4],
  ] as const) {
    mkdirSync(join(outDir, stage), { recursive: true });
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
    marker('shards', 1000, {
      documents: 60,
      webDocuments: 54,
      heldOutWebDocuments: 6,
      shakespeareDocuments: 6,
      tokens: 40_000,
      val: ['a'],
      train: ['b', 'c'],
    }),
    marker('pretrain', 120_000, { backend: 'wasm' }),
    marker('sft', 30_000, {
      trainConversations: 90,
      validationConversations: 10,
      truncatedTooLong: 7,
      cutReplies: 3,
      skippedTooLong: 4,
      oasstThreads: 50,
      heldOutPreferenceThreads: 5,
      identityConversations: 40,
      baseVocabSize: 512,
      chatVocabSize: 517,
    }),
    marker('preference', 20_000, {
      trainPairs: 30,
      rewardPairs: 18,
      truncatedPairs: 12,
      validationPairs: 8,
      skippedTooLong: 2,
      leftOut: {},
      reward: { metricsPath: 'preference/reward/metrics.jsonl', heldOutAccuracy: 0.625 },
      dpo: { metricsPath: 'preference/dpo/metrics.jsonl', beta: 0.1, heldOutAccuracy: 0.75 },
      alignedModelDir: 'aligned-model',
    }),
    marker('eval', 5000, {
      models: {
        untrained: {
          webBitsPerByte: score(3.1, 3.2, 5000),
          shakespeareBitsPerByte: score(3.3, 3.4, 9000),
          clozeShakespeare: score(0.24, 0.25, 12),
        },
        base: {
          webBitsPerByte: score(2.1, 3.2, 5000),
          shakespeareBitsPerByte: score(2.3, 3.4, 9000),
          clozeShakespeare: score(0.5, 0.25, 12),
          clozeWeb: score(0.375, 0.25, 8),
        },
        sft: {
          shakespeareBitsPerByte: score(2.4, 3.4, 9000),
          preferenceLogProb: score(0.5, 0.5, 8),
          preferenceImplicitReward: score(0.5, 0.5, 8),
        },
        aligned: {
          shakespeareBitsPerByte: score(2.45, 3.4, 9000),
          preferenceLogProb: score(0.625, 0.5, 8),
          preferenceImplicitReward: score(0.75, 0.5, 8),
          winRateOverSft: score(0.5625, 0.5, 4),
        },
      },
      rewardModel: { preferenceAccuracy: score(0.625, 0.5, 8) },
      beta: 0.1,
      heldOut: {
        webDocuments: 6,
        webBytes: 5000,
        shakespeareBytes: 9000,
        clozeShakespeareItems: 12,
        clozeWebItems: 8,
        preferencePairs: 8,
        winRatePrompts: 4,
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
    expect(md).toContain('| total time (all stages) | 3 min 1 s |');
    const params = parameterCount({ ...speedrunPresets.tiny.model, vocabSize: 512, bias: true });
    expect(md).toContain(`| 2 | 2 | 64 | 256 | 512 | 0 | ${params.toLocaleString('en-US')} |`);
    expect(md).toMatch(/\| pretrain \| 4 \| 64 \| 40 \| — \| 0\.003 \| 5 \| 20 \|/);
    expect(md).toMatch(/AdamW \(β₁ 0\.9, β₂ 0\.95/);
    expect(md).toContain('| SFT: conversations skipped (no room for a reply) | 4 |');
    expect(md).toContain(
      '| SFT: conversations longer than the context, truncated at a turn boundary | 7 |',
    );
    expect(md).toContain(
      '| SFT: vocabulary of the base → chat model (chat markers added) | 512 → 517 |',
    );
    expect(md).toContain('| Tiny Shakespeare passages (its first 90%), into the shards | 6 |');
    expect(md).toContain('| preference: pairs of the held-out trees (whole, never cut) | 8 |');
    expect(md).toContain('| preference: of those, replies cut to fit the context | 12 |');
    expect(md).toContain('| preference: pairs the reward model trains on (replies whole) | 18 |');
    expect(md).toMatch(/\| DPO \(β 0\.1\) \| 4 \| longest pair \| 6 \|/);
    expect(md).toContain('| sample.warc.gz | truncated-gzip: 3 |');
    expect(md).toMatch(/assumed peak of 1\.9e\+11 FLOP\/s/);
    expect(md).toMatch(/\*\*bits per byte\*\*: /);
  });

  it('has one evaluation table, one row per model, every score beside its chance', () => {
    const md = readFileSync(written.markdownPath, 'utf8');
    const evaluation = new Lexer()
      .lex(md.slice(md.indexOf('## Evaluation')))
      .find((token): token is Tokens.Table => token.type === 'table')!;
    const header = evaluation.header.map((h) => h.text);
    expect(header[0]).toBe('model');
    // Two bits per byte, two cloze, preference by log p, implicit reward, win rate.
    for (const [pattern, columns] of [
      [/^bits\/byte/, 2],
      [/^cloze/, 2],
      [/preference accuracy$/, 1],
      [/implicit reward/, 1],
      [/win rate over SFT/, 1],
    ] as const) {
      expect(
        header.filter((text) => pattern.test(text)),
        String(pattern),
      ).toHaveLength(columns);
    }
    const rows = Object.fromEntries(
      evaluation.rows.map((row) => [row[0].text, row.map((c) => c.text)]),
    );
    expect(Object.keys(rows)).toEqual([
      'untrained',
      'base (pre-trained)',
      'SFT (chat-model/)',
      'aligned (aligned-model/)',
      'reward model',
    ]);
    expect(rows.untrained[1]).toBe('3.100 (uniform 3.20)');
    expect(rows.untrained[3]).toBe('0.240 (chance 0.250)');
    expect(rows.untrained[5]).toBe('— (no chat markers yet)');
    expect(rows['SFT (chat-model/)'][1]).toBe('—');
    expect(rows['SFT (chat-model/)'][6]).toBe('0.500 (chance 0.500): its own reference');
    expect(rows['aligned (aligned-model/)'][5]).toBe('0.625 (chance 0.500) by log p');
    expect(rows['aligned (aligned-model/)'][7]).toBe('0.563 (chance 0.500)');
    expect(rows['reward model'][5]).toBe('0.625 (chance 0.500) by reward');
    expect(md).toMatch(/in 0\.625 ± 0\.171 of them against the SFT model's 0\.500 ± 0\.177/);
    expect(md).toContain('the aligned model is ahead on this measure');
    // 0.75 on 8 pairs is 1.6 standard errors above 1/2: said to be within the noise, not a win.
    expect(md).toContain(
      'it is 0.750 ± 0.153, against 0.5 for the SFT model: above chance, but by only 1.6 standard errors (within the noise of 8 pairs)',
    );
    expect(md).toMatch(/\*\*cloze\*\*: .*chance is 1\/4/);
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
    expect(html.match(/<svg/g)).toHaveLength(4);
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
