// @lmkit/crawler-filters/testing: helpers for tests and benchmarks (seeded corpora with planted
// near-duplicates); not part of the library API.

export {
  editToJaccard,
  exactJaccard,
  htmlText,
  type NearDuplicatePair,
  nearDuplicatePairs,
  type PlantedCorpus,
  plantedCorpus,
  sampleTexts,
  seededRandom,
  shingleSet,
} from './near-duplicates.ts';
