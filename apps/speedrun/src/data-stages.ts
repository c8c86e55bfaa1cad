// Stages 1–4: crawl (real pages into WARC files) → filter (the FineWeb recipe) → tokenizer
// (byte-level BPE with the chat markers reserved) → shards (llm.c format, validation first).
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadTokenizer, saveTokenizer, trainBpe } from '@lmkit/bpe';
import {
  buildWarc,
  createStages,
  documentSource,
  fineWebStageRegistry,
  runWithDedup,
  writeDocuments,
} from '@lmkit/crawler-filters';
import { readDocuments, tokenizeToShards } from '@lmkit/datasets';
import { dataDir, SPECIAL_TOKENS } from './paths.ts';
import type { SpeedrunPreset } from './presets.ts';
import type { Stage } from './runner.ts';

/** Copies of real Common Crawl WARCs that ship with the repo, added to the built crawl. */
const SHIPPED_WARCS = ['whirlwind.warc.gz', 'example.warc.gz'];

export const crawlStage: Stage<SpeedrunPreset> = {
  name: 'crawl',
  title: 'crawl: real web pages into WARC files',
  async run({ dir, preset, progress }) {
    const pagesDir = join(dataDir, 'html/readability');
    const names = readdirSync(pagesDir)
      .filter((name) => existsSync(join(pagesDir, name, 'source.html')))
      .sort()
      .slice(0, preset.maxPages);
    const records = names.map((name) => ({
      url: `https://${name}.pages.example/article`,
      body: new Uint8Array(readFileSync(join(pagesDir, name, 'source.html'))),
    }));
    const bytes = await buildWarc({ records, path: join(dir, 'pages.warc.gz') });
    progress.update(names.length, names.length);
    for (const file of SHIPPED_WARCS) copyFileSync(join(dataDir, 'warc', file), join(dir, file));
    return {
      pages: names.length,
      warcFiles: 1 + SHIPPED_WARCS.length,
      warcBytes: bytes.byteLength,
    };
  },
  summarize: (s) => `${s.pages} pages + ${SHIPPED_WARCS.length} Common Crawl WARCs`,
};

export const filterStage: Stage<SpeedrunPreset> = {
  name: 'filter',
  title: 'filter: URL, extraction, language, Gopher, C4, FineWeb quality, MinHash dedup, PII',
  async run({ dir, dirOf, progress }) {
    const crawlDir = dirOf('crawl');
    const paths = readdirSync(crawlDir)
      .filter((f) => f.endsWith('.warc.gz'))
      .sort()
      .map((f) => join(crawlDir, f));
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
    return { ...stats, stageNames: stats.stages.map((s) => s.stage), files: writer.files };
  },
  summarize: (s) => `${s.read} read = ${s.kept} kept + ${s.dropped} dropped + ${s.errored} errored`,
};

async function* documentTexts(files: string[]) {
  for (const path of files) {
    for await (const doc of readDocuments({ path })) yield doc.text;
  }
}

/** Tiny Shakespeare cut into documents of whole paragraphs, about `chars` characters each. */
export function shakespeareDocuments(chars = 4000): string[] {
  const text = readFileSync(join(dataDir, 'text/tinyshakespeare.txt'), 'utf8');
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

export const tokenizerStage: Stage<SpeedrunPreset> = {
  name: 'tokenizer',
  title: 'tokenizer: byte-level BPE with the chat markers reserved',
  async run({ dir, preset, progress, statsOf }) {
    const files = statsOf('filter').files as string[];
    const shakespeare = shakespeareDocuments();
    async function* texts() {
      yield* documentTexts(files);
      yield* shakespeare;
    }
    const tokenizer = await trainBpe({
      texts: texts(),
      vocabSize: preset.vocabSize,
      specialTokens: SPECIAL_TOKENS,
      name: 'lmkit-speedrun',
      onProgress: (p) => {
        if (p.phase === 'merge') progress.update(p.merges, p.targetMerges, 'merges');
      },
    });
    const path = join(dir, 'tokenizer.json');
    await saveTokenizer(tokenizer, path);
    let bytes = 0;
    let tokens = 0;
    for await (const text of texts()) {
      bytes += Buffer.byteLength(text);
      tokens += tokenizer.encodeOrdinary(text).length;
    }
    return { path, vocabSize: tokenizer.vocabSize, bytes, tokens, bytesPerToken: bytes / tokens };
  },
  summarize: (s) =>
    `${s.vocabSize} tokens, ${(s.bytesPerToken as number).toFixed(2)} bytes/token on the corpus`,
};

/** Deterministic shuffle (a seeded linear congruential generator), so the validation shard mixes sources. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export const shardsStage: Stage<SpeedrunPreset> = {
  name: 'shards',
  title: 'shards: llm.c token shards, the first one held out for validation',
  async run({ dir, preset, progress, statsOf }) {
    const tokenizer = await loadTokenizer(statsOf('tokenizer').path as string);
    const web: { text: string }[] = [];
    for (const path of statsOf('filter').files as string[]) {
      for await (const doc of readDocuments({ path })) web.push({ text: doc.text });
    }
    const documents = shuffled([...web, ...shakespeareDocuments().map((text) => ({ text }))], 1337);
    const result = await tokenizeToShards({
      documents,
      tokenizer,
      outDir: dir,
      prefix: 'speedrun',
      tokensPerShard: preset.tokensPerShard,
      workers: 0,
      onShard: (info) => progress.update(info.totalDocuments, documents.length, 'documents'),
    });
    const val = result.shards.filter((s) => s.includes('_val_'));
    const train = result.shards.filter((s) => s.includes('_train_'));
    return { documents: result.documents, tokens: result.tokens, val, train };
  },
  summarize: (s) =>
    `${s.tokens} tokens from ${s.documents} documents in ${(s.val as string[]).length} val + ${(s.train as string[]).length} train shards`,
};
