// Public API of @lmkit/crawler-filters.
export { type Document, type Verdict, words } from './document.ts';
