// @lmkit/crawler-filters/filters: the FineWeb recipe's per-document filters (URL, language, Gopher,
// C4, FineWeb quality) and the PII formatter, each as a function and a pipeline stage.

export {
  type C4QualityOptions,
  type C4Result,
  c4Quality,
  c4QualityDefaults,
  c4QualityStage,
} from './c4-quality.ts';
export {
  type FineWebQualityOptions,
  fineWebQuality,
  fineWebQualityDefaults,
  fineWebQualityStage,
} from './fineweb-quality.ts';
export {
  type GopherQualityOptions,
  gopherQuality,
  gopherQualityDefaults,
  gopherQualityStage,
} from './gopher-quality.ts';
export {
  type GopherRepetitionOptions,
  gopherRepetition,
  gopherRepetitionDefaults,
  gopherRepetitionStage,
} from './gopher-repetition.ts';
export {
  type DetectLanguageOptions,
  defaultLanguageCandidates,
  detectLanguage,
  type LanguageFilterOptions,
  type LanguageGuess,
  languageStage,
  languageVerdict,
} from './language.ts';
export {
  DEFAULT_EMAIL_REPLACEMENTS,
  DEFAULT_GENERIC_TLDS,
  DEFAULT_IP_REPLACEMENTS,
  isPublicIpv4,
  type PiiOptions,
  type PiiResult,
  piiStage,
  scrubPii,
} from './pii.ts';
export { findDuplicates, nGrams, splitSentences, tokenizeWords } from './text-units.ts';
export {
  defaultUrlListsDir,
  type LoadUrlListsOptions,
  loadUrlLists,
  type UrlFilterOptions,
  type UrlLists,
  urlFilterStage,
  urlVerdict,
} from './url-filter.ts';
