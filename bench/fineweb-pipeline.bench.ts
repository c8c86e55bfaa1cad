// End to end: documents/s per core for the FineWeb part-1 pipeline (read WARC → URL → extract →
// language → Gopher → C4 → FineWeb) over a WARC built from the 106 shipped real pages.

import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildWarc,
  createStages,
  documentSource,
  formatStatsTable,
  type RunStats,
  runPipeline,
  type Stage,
} from '@lmkit/crawler-filters';
import { median } from './harness.ts';

const DIR = fileURLToPath(new URL('../data/html/readability/', import.meta.url));
const COPIES = 4;
const ROUNDS = 3;

async function runOnce(path: string, stages: Stage[]): Promise<RunStats> {
  return runPipeline({
    source: documentSource({ paths: [path] }),
    stages,
    sink: async (docs) => {
      for await (const _ of docs);
    },
  });
}

export async function run(): Promise<void> {
  const names = readdirSync(DIR)
    .filter((name) => existsSync(`${DIR}${name}/source.html`))
    .sort();
  const records = Array.from({ length: COPIES }, (_, copy) =>
    names.map((name) => ({
      url: `https://pages.example/${copy}/${name}`,
      body: readFileSync(`${DIR}${name}/source.html`, 'utf8'),
    })),
  ).flat();
  const path = join(mkdtempSync(join(tmpdir(), 'fineweb-bench-')), 'pages.warc.gz');
  await buildWarc({ records, path });
  const configurations: { name: string; stages: () => Promise<Stage[]> }[] = [
    { name: 'read WARC only', stages: async () => [] },
    { name: 'read + extract', stages: () => createStages({ names: ['extract'] }) },
    { name: 'full part-1 pipeline (7 stages)', stages: () => createStages() },
  ];
  console.log(
    `\n## FineWeb part-1 pipeline, ${records.length} pages (106 real pages × ${COPIES}) in one WARC, one core`,
  );
  console.log('| configuration | median ms | documents/s per core |');
  console.log('| --- | --- | --- |');
  let last: RunStats | undefined;
  for (const configuration of configurations) {
    const samples: number[] = [];
    await runOnce(path, await configuration.stages());
    for (let round = 0; round < ROUNDS; round++) {
      const stats = await runOnce(path, await configuration.stages());
      samples.push(stats.durationMs);
      last = stats;
    }
    const ms = median(samples);
    console.log(
      `| ${configuration.name} | ${ms.toFixed(0)} | ${(records.length / (ms / 1000)).toFixed(1)} |`,
    );
  }
  if (last) console.log(`\nLast full run:\n\n${formatStatsTable(last)}`);
}
