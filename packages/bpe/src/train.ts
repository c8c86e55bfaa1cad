// Byte-level BPE training: count distinct pre-split pieces (memory grows with distinct pieces, not
// with the corpus), then merge the most frequent pair repeatedly, updating pair counts only where a
// merge touches (positions per pair) and picking pairs from a lazy max-heap. Ties: smaller ids first.
import { BpeError } from './errors.ts';
import { mergePieces } from './merge-pieces.ts';
import { resolvePattern } from './patterns.ts';
import { builtinSplitter, forEachPiece } from './pretokenize.ts';
import { specialTokenRegExp } from './special-tokens.ts';
import { Tokenizer } from './tokenizer.ts';

export interface TrainProgress {
  phase: 'count' | 'merge' | 'done';
  documents: number;
  /** UTF-16 code units read so far. */
  characters: number;
  distinctPieces: number;
  merges: number;
  /** Merges wanted: vocabSize − 256 − special tokens. */
  targetMerges: number;
  elapsedMs: number;
}

export interface TrainBpeOptions {
  /** Documents: an array, any iterable, or an async iterable (streamed; only piece counts are kept). */
  texts: Iterable<string> | AsyncIterable<string>;
  /** Final vocabulary size: 256 bytes + learned merges + special tokens. */
  vocabSize: number;
  /** Split pattern: built-in name, RegExp or source; default `'cl100k_base'`. */
  pattern?: string | RegExp;
  /**
   * Special tokens, given the last ids (vocabSize − n ... vocabSize − 1) in order; their spellings
   * in the texts are not learned. When the corpus runs out of pairs first, the ids between the last
   * learned token and the special tokens stay unused.
   */
  specialTokens?: readonly string[];
  /** Name stored in the tokenizer file; default `'bpe'`. */
  name?: string;
  /** Called after each document batch while counting, every 100 merges, and at the end. */
  onProgress?: (progress: TrainProgress) => void;
  /** Clock for progress reports; default `performance.now`. */
  now?: () => number;
}

/** Trains a byte-level BPE tokenizer. Same input and options → same vocabulary. */
export async function trainBpe(options: TrainBpeOptions): Promise<Tokenizer> {
  const specials = options.specialTokens ?? [];
  if (new Set(specials).size !== specials.length) {
    throw new BpeError(`specialTokens ${JSON.stringify(specials)} repeat a name; list each once`);
  }
  const minimum = 256 + specials.length;
  if (!Number.isInteger(options.vocabSize) || options.vocabSize < minimum) {
    throw new BpeError(
      `vocabSize ${options.vocabSize} is below ${minimum} (256 byte tokens + ${specials.length} special tokens); pass at least ${minimum}`,
    );
  }
  const now = options.now ?? (() => performance.now());
  const started = now();
  const resolved = resolvePattern(options.pattern ?? 'cl100k_base');
  const splitter = resolved.builtin
    ? builtinSplitter(resolved.builtin)
    : new RegExp(resolved.source, 'gu');
  const specialRegExp = specialTokenRegExp(specials);
  const targetMerges = options.vocabSize - minimum;
  const progress: TrainProgress = {
    phase: 'count',
    documents: 0,
    characters: 0,
    distinctPieces: 0,
    merges: 0,
    targetMerges,
    elapsedMs: 0,
  };
  const report = (phase: TrainProgress['phase']) => {
    progress.phase = phase;
    progress.elapsedMs = now() - started;
    options.onProgress?.({ ...progress });
  };

  // 1. Count distinct pieces.
  const counts = new Map<string, number>();
  const countPieces = (text: string, start: number, end: number) =>
    forEachPiece(
      text,
      splitter,
      (s, e) => {
        const piece = text.slice(s, e);
        counts.set(piece, (counts.get(piece) ?? 0) + 1);
      },
      start,
      end,
    );
  let reportedAt = 0;
  for await (const text of options.texts) {
    if (typeof text !== 'string') {
      throw new BpeError(
        `texts yielded a ${typeof text} at document ${progress.documents}; yield strings`,
      );
    }
    let last = 0;
    if (specialRegExp) {
      specialRegExp.lastIndex = 0;
      for (let m = specialRegExp.exec(text); m !== null; m = specialRegExp.exec(text)) {
        countPieces(text, last, m.index);
        last = m.index + m[0].length;
      }
    }
    countPieces(text, last, text.length);
    progress.documents++;
    progress.characters += text.length;
    if (progress.characters - reportedAt > 1 << 20) {
      reportedAt = progress.characters;
      progress.distinctPieces = counts.size;
      report('count');
    }
  }
  progress.distinctPieces = counts.size;
  report('count');

  const { tokens, merges } = mergePieces(counts, targetMerges, (done) => {
    progress.merges = done;
    report('merge');
  });
  progress.merges = merges.length;
  const specialTokens: Record<string, number> = {};
  specials.forEach((name, i) => {
    specialTokens[name] = options.vocabSize - specials.length + i;
  });
  const tokenizer = new Tokenizer({
    name: options.name ?? 'bpe',
    pattern: resolved.builtin ?? resolved.source,
    ranks: tokens,
    specialTokens,
    merges,
  });
  report('done');
  return tokenizer;
}
