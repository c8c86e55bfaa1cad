// Dedup stage 3: union-find over every bucket's matches; each cluster keeps its first document
// (lowest task, then position) and lists the others per task with the id they duplicate.
// Memory grows with the number of matched documents only, not with the crawl.

import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { CrawlerFiltersError } from '../errors.ts';
import { MATCH_WIDTH } from './buckets.ts';
import { dedupLayout, readMinHashConfig } from './layout.ts';
import { readRecords } from './record-file.ts';
import type { SignatureTaskSummary } from './signatures.ts';

const TASK_FACTOR = 2 ** 32;
const keyOf = (task: number, index: number) => task * TASK_FACTOR + index;

/** One removed document in a task's removal list. */
export interface Removal {
  /** Position of the document in its task. */
  index: number;
  id: string;
  /** Id of the document its cluster keeps. */
  duplicateOf: string;
}

export interface ClusterSummary {
  tasks: number;
  documents: number;
  clusters: number;
  /** Documents to remove (cluster members other than the kept one). */
  duplicates: number;
}

/** Union-find with the smallest key as each set's root (so the earliest document is kept). */
class UnionFind {
  readonly parent = new Map<number, number>();

  find(key: number): number {
    let root = key;
    for (
      let next = this.parent.get(root);
      next !== undefined && next !== root;
      next = this.parent.get(root)
    ) {
      root = next;
    }
    for (let node = key; node !== root; ) {
      const next = this.parent.get(node)!;
      this.parent.set(node, root);
      node = next;
    }
    if (!this.parent.has(root)) this.parent.set(root, root);
    return root;
  }

  union(a: number, b: number): void {
    const rootA = this.find(a);
    const rootB = this.find(b);
    if (rootA === rootB) return;
    if (rootA < rootB) this.parent.set(rootB, rootA);
    else this.parent.set(rootA, rootB);
  }
}

/** Reads the ids at the given positions of a task's ids file (one JSON string per line). */
async function idsAt(path: string, wanted: Set<number>): Promise<Map<number, string>> {
  const found = new Map<number, string>();
  if (wanted.size === 0) return found;
  let index = 0;
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of lines) {
    if (wanted.has(index)) found.set(index, JSON.parse(line) as string);
    index++;
  }
  return found;
}

/** Clusters all matches in `workDir` and writes one removal list per task. */
export async function buildClusters(options: { workDir: string }): Promise<ClusterSummary> {
  const { workDir } = options;
  const config = await readMinHashConfig(workDir);
  const tasksDir = dirname(dedupLayout.taskSummary(workDir, 0));
  const taskNames = await readdir(tasksDir).catch(() => [] as string[]);
  const tasks: SignatureTaskSummary[] = [];
  for (const name of taskNames.filter((n) => n.endsWith('.json')).sort()) {
    tasks.push(JSON.parse(await readFile(join(tasksDir, name), 'utf8')) as SignatureTaskSummary);
  }
  const unionFind = new UnionFind();
  for (let bucket = 0; bucket < config.buckets; bucket++) {
    const path = dedupLayout.matchesFile(workDir, bucket);
    try {
      for await (const { records, count } of readRecords({
        path,
        magic: 'MTCH',
        width: MATCH_WIDTH,
      })) {
        for (let i = 0; i < count; i++) {
          const base = i * MATCH_WIDTH;
          unionFind.union(
            keyOf(records[base], records[base + 1]),
            keyOf(records[base + 2], records[base + 3]),
          );
        }
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      throw new CrawlerFiltersError(
        'missing-dedup-stage',
        `${path} does not exist; run the bucket stage for all ${config.buckets} buckets first`,
      );
    }
  }
  // Group the non-root members by task, and note which ids each task must supply.
  const removalsByTask = new Map<number, { index: number; root: number }[]>();
  const wantedIds = new Map<number, Set<number>>();
  const want = (key: number) => {
    const task = Math.floor(key / TASK_FACTOR);
    if (!wantedIds.has(task)) wantedIds.set(task, new Set());
    wantedIds.get(task)!.add(key % TASK_FACTOR);
  };
  let clusters = 0;
  for (const key of unionFind.parent.keys()) {
    const root = unionFind.find(key);
    if (root === key) {
      clusters++;
      want(key);
      continue;
    }
    const task = Math.floor(key / TASK_FACTOR);
    if (!removalsByTask.has(task)) removalsByTask.set(task, []);
    removalsByTask.get(task)!.push({ index: key % TASK_FACTOR, root });
    want(key);
  }
  const ids = new Map<number, Map<number, string>>();
  for (const [task, wanted] of wantedIds)
    ids.set(task, await idsAt(dedupLayout.idsFile(workDir, task), wanted));
  let duplicates = 0;
  for (const summary of tasks) {
    const task = summary.taskIndex;
    const list = (removalsByTask.get(task) ?? []).sort((a, b) => a.index - b.index);
    const lines = list.map(({ index, root }) => {
      const removal: Removal = {
        index,
        id: ids.get(task)!.get(index)!,
        duplicateOf: ids.get(Math.floor(root / TASK_FACTOR))!.get(root % TASK_FACTOR)!,
      };
      return JSON.stringify(removal);
    });
    duplicates += list.length;
    const path = dedupLayout.removalsFile(workDir, task);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, lines.length > 0 ? `${lines.join('\n')}\n` : '');
  }
  const summary: ClusterSummary = {
    tasks: tasks.length,
    documents: tasks.reduce((sum, t) => sum + t.documents, 0),
    clusters,
    duplicates,
  };
  await writeFile(dedupLayout.clusterSummary(workDir), `${JSON.stringify(summary)}\n`);
  return summary;
}
