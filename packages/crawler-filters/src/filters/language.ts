// Language identification with franc (trigram models, ISO 639-3 codes) and the language filter stage.
// Below a minimum length the answer is "too short to tell" instead of a guess; a score says how sure.

import { francAll } from 'franc';
import type { Document, Verdict } from '../document.ts';
import { filterStage, type Stage } from '../stage.ts';

/**
 * Default candidate languages: the ~45 most frequent languages of Common Crawl that franc knows.
 * Restricting candidates matters: among franc's 400+ languages, English text often scores as Scots.
 */
export const defaultLanguageCandidates: readonly string[] = Object.freeze([
  'eng',
  'rus',
  'deu',
  'jpn',
  'spa',
  'fra',
  'cmn',
  'ita',
  'por',
  'pol',
  'nld',
  'ind',
  'tur',
  'ces',
  'vie',
  'kor',
  'swe',
  'arb',
  'pes',
  'ukr',
  'hun',
  'ell',
  'ron',
  'dan',
  'fin',
  'slk',
  'bul',
  'nob',
  'heb',
  'tha',
  'hin',
  'ben',
  'cat',
  'hrv',
  'srp',
  'lit',
  'slv',
  'ekk',
  'lvs',
  'zlm',
  'urd',
  'tam',
  'glg',
  'kat',
  'hye',
  'afr',
  'mkd',
  'bel',
  'kaz',
  'tgl',
  'swh',
]);

export interface DetectLanguageOptions {
  /** Shorter texts (in characters, after trimming) are "too short to tell". Default 50. */
  minLength?: number;
  /** ISO 639-3 codes franc may answer with; `undefined` = all of franc's languages. Default: `defaultLanguageCandidates`. */
  candidates?: readonly string[] | undefined;
  /** Only the first this-many characters are scored (speed on long pages). Default 1000 (98 % accuracy in bench/langid.bench.ts). */
  maxLength?: number;
}

export type LanguageGuess =
  | { language: string; score: number }
  | { language: 'und'; score: 0; tooShort: true };

/**
 * Detects the language: ISO 639-3 code and a score in [0, 1]: how far the runner-up language is
 * from the best, relative to the farthest candidate, in franc's normalised distance (0 = a tie,
 * 1 = the runner-up is as unlike the text as the least likely candidate; a language alone in its
 * script scores 1). Scale-free, so comparable across text lengths; not a probability.
 *
 * @example detectLanguage('The quick brown fox jumps over the lazy dog near the old river bank.')
 * // { language: 'eng', score: 0.3… }
 */
export function detectLanguage(text: string, options: DetectLanguageOptions = {}): LanguageGuess {
  const minLength = options.minLength ?? 50;
  const maxLength = options.maxLength ?? 1000;
  const candidates = 'candidates' in options ? options.candidates : defaultLanguageCandidates;
  const sample = text.trim().slice(0, maxLength);
  if (sample.length < minLength) return { language: 'und', score: 0, tooShort: true };
  const ranked = francAll(sample, { minLength: 1, only: candidates ? [...candidates] : undefined });
  const [best, second] = ranked;
  if (!best || best[0] === 'und') return { language: 'und', score: 0, tooShort: true };
  const farthest = ranked.at(-1)![1];
  const score =
    second && farthest < 1 ? Math.max(0, Math.min(1, (1 - second[1]) / (1 - farthest))) : 1;
  return { language: best[0], score };
}

export interface LanguageFilterOptions extends DetectLanguageOptions {
  /** Languages to keep (ISO 639-3). Default `['eng']`, as FineWeb. `undefined` keeps any language. */
  keep?: readonly string[] | undefined;
  /** Minimum score to keep. Default 0.1 (see bench/langid.bench.ts). `undefined` turns it off. */
  minScore?: number | undefined;
}

/** Verdict for one text; reasons `too_short_to_tell`, `language:<code>`, `low_language_score`. */
export function languageVerdict(
  text: string,
  options: LanguageFilterOptions = {},
): Verdict & { guess: LanguageGuess } {
  const keep = 'keep' in options ? options.keep : ['eng'];
  const minScore = 'minScore' in options ? options.minScore : 0.1;
  const guess = detectLanguage(text, options);
  if ('tooShort' in guess) return { keep: false, reason: 'too_short_to_tell', guess };
  if (keep && !keep.includes(guess.language))
    return { keep: false, reason: `language:${guess.language}`, guess };
  if (minScore !== undefined && guess.score < minScore)
    return { keep: false, reason: 'low_language_score', guess };
  return { keep: true, guess };
}

/** Stage `language`: records `metadata.language` and `metadata.languageScore` on every document. */
export function languageStage(options: LanguageFilterOptions = {}): Stage {
  const resolved = Object.freeze({ ...options });
  return filterStage({
    name: 'language',
    filter: (doc: Document) => {
      const { guess, ...verdict } = languageVerdict(doc.text, resolved);
      doc.metadata.language = guess.language;
      doc.metadata.languageScore = guess.score;
      return verdict as Verdict;
    },
  });
}
