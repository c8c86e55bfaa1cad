// Stage `extract`: turns each document's `html` into main `text` (and `metadata.title`). Documents
// that arrive with text and no HTML (WET, JSONL) pass unchanged; empty results are dropped.

import type { Document } from '../document.ts';
import { CrawlerFiltersError } from '../errors.ts';
import { type Stage, transformStage } from '../stage.ts';
import { type ExtractTextOptions, extractText } from './extract-text.ts';

export interface ExtractStageOptions extends Omit<ExtractTextOptions, 'url' | 'contentType'> {
  /** Pages longer than this (characters of HTML) are errors `page-too-large`. Default 5,000,000. */
  maxHtmlLength?: number;
  /** Keep `html` on the document after extraction. Default false (saves memory and output size). */
  keepHtml?: boolean;
}

export function extractStage(options: ExtractStageOptions = {}): Stage {
  const maxHtmlLength = options.maxHtmlLength ?? 5_000_000;
  return transformStage({
    name: 'extract',
    transform: (doc: Document) => {
      if (doc.html === undefined) return doc.text.trim() ? doc : { keep: false, reason: 'empty' };
      if (doc.html.length > maxHtmlLength)
        throw new CrawlerFiltersError(
          'page-too-large',
          `page of ${doc.html.length} characters exceeds maxHtmlLength ${maxHtmlLength}; raise maxHtmlLength to extract it`,
        );
      const { text, title } = extractText(doc.html, { ...options, url: doc.url });
      if (!text.trim()) return { keep: false, reason: 'no-main-text' };
      const { html, ...rest } = doc;
      const out: Document = {
        ...rest,
        text,
        metadata: title ? { ...doc.metadata, title } : doc.metadata,
      };
      if (options.keepHtml) out.html = html;
      return out;
    },
  });
}
