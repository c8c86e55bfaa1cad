// Stages 1–4: crawl (real pages into WARC files) → filter (the FineWeb recipe) → tokenizer
// (byte-level BPE with <|endoftext|>; the chat markers come at SFT) → shards (llm.c format,
// validation first). The tokenizer and the shards leave out the eval stage's held-out text.
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadTokenizer, saveTokenizer, trainBpe } from '@lmkit/bpe';
import { END_OF_TEXT, SeededRandom } from '@lmkit/core';
import {
  buildWarc,
  createStages,
  documentSource,
  fineWebStageRegistry,
  type RunStats,
  runWithDedup,
  writeDocuments,
} from '@lmkit/crawler-filters';
import { tokenizeToShards } from '@lmkit/datasets';
import { HELD_OUT, shakespearePath, shakespeareSplit, webSplit } from './held-out.ts';
import { dataDir, SPECIAL_TOKENS } from './paths.ts';
import type { SpeedrunPreset } from './presets.ts';
import type { Stage } from './runner.ts';
import { filterOnSlurm } from './slurm-filter.ts';

/** Copies of real Common Crawl WARCs that ship with the repo, added to the built crawl. */
const SHIPPED_WARCS = ['whirlwind.warc.gz', 'example.warc.gz'];

/** The shipped pages a preset crawls: folder names under data/html/readability, in name order. */
function crawlPages(maxPages: number | undefined): { pagesDir: string; names: string[] } {
  const pagesDir = join(dataDir, 'html/readability');
  const names = readdirSync(pagesDir)
    .filter((name) => existsSync(join(pagesDir, name, 'source.html')))
    .sort()
    .slice(0, maxPages);
  return { pagesDir, names };
}

export interface CrawlStats {
  pages: number;
  warcFiles: number;
  warcBytes: number;
  /** The WARC files, relative to the run folder. */
  files: string[];
}

export const crawlStage: Stage<SpeedrunPreset, CrawlStats> = {
  name: 'crawl',
  title: 'crawl: real web pages into WARC files',
  params: (preset) => ({ maxPages: preset.maxPages ?? null }),
  inputs: ({ preset }) => {
    const { pagesDir, names } = crawlPages(preset.maxPages);
    return [
      ...names.map((name) => join(pagesDir, name, 'source.html')),
      ...SHIPPED_WARCS.map((file) => join(dataDir, 'warc', file)),
    ];
  },
  outputs: (stats) => stats.files,
  async run({ dir, preset, progress, relative }) {
    const { pagesDir, names } = crawlPages(preset.maxPages);
    const records = names.map((name) => ({
      url: `https://${name}.pages.example/article`,
      body: new Uint8Array(readFileSync(join(pagesDir, name, 'source.html'))),
    }));
    const built = join(dir, 'pages.warc.gz');
    const bytes = await buildWarc({ records, path: built });
    progress.update(names.length, names.length);
    const files = [built];
    for (const file of SHIPPED_WARCS) {
      copyFileSync(join(dataDir, 'warc', file), join(dir, file));
      files.push(join(dir, file));
    }
    return {
      pages: names.length,
      warcFiles: files.length,
      warcBytes: bytes.byteLength,
      files: files.sort().map(relative),
    };
  },
  summarize: (s) => `${s.pages} pages + ${SHIPPED_WARCS.length} Common Crawl WARCs`,
};

export interface FilterStats extends RunStats {
  stageNames: string[];
  /** The kept documents' JSONL shards, relative to the run folder. */
  files: string[];
}

export const filterStage: Stage<SpeedrunPreset, FilterStats> = {
  name: 'filter',
  title: 'filter: URL, extraction, language, Gopher, C4, FineWeb quality, MinHash dedup, PII',
  // Under --slurm the params record it, so switching modes redoes the stage.
  params: (preset) => ({
    stages: Object.keys(fineWebStageRegistry),
    ...(preset.slurm ? { slurm: preset.slurm } : {}),
  }),
  inputs: ({ statsOf, path }) => statsOf(crawlStage).files.map(path),
  outputs: (stats) => stats.files,
  async run({ dir, preset, progress, statsOf, path, relative }) {
    const paths = statsOf(crawlStage).files.map(path);
    if (preset.slurm) {
      // The same recipe as Slurm jobs, one filter task per WARC file (slurm-filter.ts).
      const { files, ...stats } = await filterOnSlurm({
        dir,
        paths,
        partition: preset.slurm.partition,
        onPoll: (queued) => progress.update(0, 1, `${queued} Slurm job(s) queued or running`),
      });
      progress.update(1, 1, `${stats.kept} kept`);
      return { ...stats, stageNames: stats.stages.map((s) => s.stage), files: files.map(relative) };
    }
    const names = Object.keys(fineWebStageRegistry);
    const stages = await createStages({ names, registry: fineWebStageRegistry, options: {} });
    const writer = writeDocuments({ dir: join(dir, 'documents'), format: 'jsonl' });
    const workDir = join(dir, 'minhash');
    // Filters, then MinHash signatures → bucket matches → clusters → dedup filter, then PII.
    const stats = await runWithDedup({
      source: documentSource({ paths }),
      stages,
      sink: writer.sink,
      workDir,
      onProgress: (p) => progress.update(p.read, p.read, `${p.kept} kept`),
      progressEvery: 10,
    });
    rmSync(workDir, { recursive: true, force: true });
    return {
      ...stats,
      stageNames: stats.stages.map((s) => s.stage),
      files: writer.files.map(relative),
    };
  },
  summarize: (s) => `${s.read} read = ${s.kept} kept + ${s.dropped} dropped + ${s.errored} errored`,
};

/**
 * The training part of Tiny Shakespeare (its last tenth is held out for the eval stage) cut into
 * documents of whole paragraphs, about `chars` characters each.
 */
export function shakespeareDocuments(chars = 4000): string[] {
  const text = shakespeareSplit().train;
  const paragraphs = text.split(/\n\n+/);
  const docs: string[] = [];
  let current = '';
  for (const paragraph of paragraphs) {
    current = current ? `${current}\n\n${paragraph}` : paragraph;
    if (current.length >= chars) {
      docs.push(current);
      current = '';
    }
  }
  if (current) docs.push(current);
  return docs;
}

/**
 * Special tokens reserved at tokenizer training: the document separator only, as the recipe has
 * it (the chat markers enter the vocabulary at SFT), or all four when the preset reserves them.
 */
const specialTokensOf = (preset: SpeedrunPreset): readonly string[] =>
  preset.reserveChatMarkers ? SPECIAL_TOKENS : [END_OF_TEXT];

export interface TokenizerStats {
  /** tokenizer.json, relative to the run folder. */
  path: string;
  vocabSize: number;
  bytes: number;
  tokens: number;
  bytesPerToken: number;
}

export const tokenizerStage: Stage<SpeedrunPreset, TokenizerStats> = {
  name: 'tokenizer',
  title: 'tokenizer: byte-level BPE on the training text',
  params: (preset) => ({
    vocabSize: preset.vocabSize,
    specialTokens: specialTokensOf(preset),
    heldOut: HELD_OUT,
  }),
  inputs: ({ statsOf, path }) => [...statsOf(filterStage).files.map(path), shakespearePath()],
  outputs: (stats) => [stats.path],
  async run({ dir, preset, progress, statsOf, path: resolvePath, relative }) {
    const web = (await webSplit(statsOf(filterStage).files.map(resolvePath))).train;
    const shakespeare = shakespeareDocuments();
    function* texts() {
      yield* web;
      yield* shakespeare;
    }
    const tokenizer = await trainBpe({
      texts: texts(),
      vocabSize: preset.vocabSize,
      specialTokens: specialTokensOf(preset),
      name: 'lmkit-speedrun',
      onProgress: (p) => {
        if (p.phase === 'merge') progress.update(p.merges, p.targetMerges, 'merges');
      },
    });
    const path = join(dir, 'tokenizer.json');
    await saveTokenizer(tokenizer, path);
    let bytes = 0;
    let tokens = 0;
    for (const text of texts()) {
      bytes += Buffer.byteLength(text);
      tokens += tokenizer.encodeOrdinary(text).length;
    }
    return {
      path: relative(path),
      vocabSize: tokenizer.vocabSize,
      bytes,
      tokens,
      bytesPerToken: bytes / tokens,
    };
  },
  summarize: (s) =>
    `${s.vocabSize} tokens, ${s.bytesPerToken.toFixed(2)} bytes/token on the corpus`,
};

/** Deterministic shuffle (@lmkit/core's seeded generator), so the validation shard mixes sources. */
function shuffled<T>(items: T[], seed: number): T[] {
  return new SeededRandom(seed).shuffle([...items]);
}

export interface ShardsStats {
  documents: number;
  /** Web documents in the shards, and those held out for the eval stage. */
  webDocuments: number;
  heldOutWebDocuments: number;
  /** Tiny Shakespeare passages (of its first 90%) in the shards. */
  shakespeareDocuments: number;
  tokens: number;
  /** Validation and training shards, relative to the run folder. */
  val: string[];
  train: string[];
}

export const shardsStage: Stage<SpeedrunPreset, ShardsStats> = {
  name: 'shards',
  title: 'shards: llm.c token shards, the first one held out for validation',
  params: (preset) => ({
    tokensPerShard: preset.tokensPerShard,
    shuffleSeed: 1337,
    heldOut: HELD_OUT,
  }),
  inputs: ({ statsOf, path }) => [
    path(statsOf(tokenizerStage).path),
    ...statsOf(filterStage).files.map(path),
    shakespearePath(),
  ],
  outputs: (stats) => [...stats.val, ...stats.train],
  async run({ dir, preset, progress, statsOf, path, relative }) {
    const tokenizer = await loadTokenizer(path(statsOf(tokenizerStage).path));
    const web = await webSplit(statsOf(filterStage).files.map(path));
    const shakespeare = shakespeareDocuments();
    const documents = shuffled(
      [...web.train, ...shakespeare].map((text) => ({ text })),
      1337,
    );
    const result = await tokenizeToShards({
      documents,
      tokenizer,
      outDir: dir,
      prefix: 'speedrun',
      tokensPerShard: preset.tokensPerShard,
      workers: 0,
      onShard: (info) => progress.update(info.totalDocuments, documents.length, 'documents'),
    });
    const val = result.shards.filter((s) => s.includes('_val_')).map(relative);
    const train = result.shards.filter((s) => s.includes('_train_')).map(relative);
    return {
      documents: result.documents,
      webDocuments: web.train.length,
      heldOutWebDocuments: web.heldOut.length,
      shakespeareDocuments: shakespeare.length,
      tokens: result.tokens,
      val,
      train,
    };
  },
  summarize: (s) =>
    `${s.tokens} tokens from ${s.documents} documents in ${s.val.length} val + ${s.train.length} train shards`,
};
