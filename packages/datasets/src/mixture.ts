// A weighted mixture of sources: at each step a source is drawn with probability proportional to
// its weight (seeded), and an exhausted source leaves the draw. Counts per source are reported.

import { DatasetsError } from './errors.ts';
import { SeededRandom } from './random.ts';

export interface MixtureSource<T> {
  name: string;
  /** Relative weight (> 0). */
  weight: number;
  items: Iterable<T> | AsyncIterable<T>;
}

export interface MixtureOptions<T> {
  sources: readonly MixtureSource<T>[];
  seed?: number;
  /** Stop after this many items; default: until every source is exhausted. */
  limit?: number;
  /** Stop when the first source runs out (keeps the ratios exact); default false (it leaves the draw). */
  stopWhenAnyExhausted?: boolean;
  /** Filled in with items taken per source name. */
  counts?: Record<string, number>;
}

/** Interleaves the sources by weight. */
export async function* mix<T>(options: MixtureOptions<T>): AsyncIterable<T> {
  if (options.sources.length === 0) throw new DatasetsError('sources is empty; pass at least one');
  for (const source of options.sources) {
    if (!(source.weight > 0) || !Number.isFinite(source.weight)) {
      throw new DatasetsError(
        `source ${source.name} has weight ${source.weight}; weights must be finite and > 0`,
      );
    }
  }
  const random = new SeededRandom(options.seed ?? 0);
  const live = options.sources.map((source) => ({
    source,
    iterator:
      Symbol.asyncIterator in source.items
        ? (source.items as AsyncIterable<T>)[Symbol.asyncIterator]()
        : toAsync((source.items as Iterable<T>)[Symbol.iterator]()),
  }));
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  let taken = 0;
  while (live.length > 0 && taken < limit) {
    const total = live.reduce((sum, entry) => sum + entry.source.weight, 0);
    let x = random.next() * total;
    let index = 0;
    while (index < live.length - 1 && x >= live[index].source.weight) {
      x -= live[index].source.weight;
      index++;
    }
    const entry = live[index];
    const next = await entry.iterator.next();
    if (next.done) {
      if (options.stopWhenAnyExhausted) return;
      live.splice(index, 1);
      continue;
    }
    taken++;
    if (options.counts)
      options.counts[entry.source.name] = (options.counts[entry.source.name] ?? 0) + 1;
    yield next.value;
  }
}

function toAsync<T>(iterator: Iterator<T>): AsyncIterator<T> {
  return { next: async () => iterator.next() };
}
