// @lmkit/crawler-filters/extract: main-content text extraction from HTML and its shingle-F1 score.

export { type ExtractStageOptions, extractStage } from './extract-stage.ts';
export {
  type ExtractedText,
  type ExtractTextOptions,
  extractText,
} from './extract-text.ts';
export { meanShingleF1, type ShingleScore, shingleScore } from './shingle-f1.ts';
