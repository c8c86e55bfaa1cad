// `extractText(html, { url })`: the main content of a page as plain text, plus its title.
// Readability-style scoring on a light htmlparser2 tree; retries with looser rules on thin results.

import { CrawlerFiltersError } from '../errors.ts';
import { decodeHtml, looksBinary } from '../read/charset.ts';
import { cleanArticle } from './cleanup.ts';
import { parseHtml } from './html-tree.ts';
import { renderText } from './render.ts';
import { findArticle } from './scoring.ts';

export interface ExtractTextOptions {
  /** Page URL (recorded for callers; relative links are not resolved because only text is kept). */
  url?: string;
  /** HTTP Content-Type, used for the charset when `html` is bytes. */
  contentType?: string;
  /** Joins paragraphs; default `'\n'` (trafilatura's output, which FineWeb's thresholds assume). */
  paragraphSeparator?: string;
  /** Below this many characters the extractor retries with looser rules. Default 500. */
  minTextLength?: number;
}

export interface ExtractedText {
  text: string;
  title?: string;
}

const ATTEMPTS = [
  { stripUnlikely: true, weightClasses: true, cleanConditionally: true },
  { stripUnlikely: false, weightClasses: true, cleanConditionally: true },
  { stripUnlikely: false, weightClasses: false, cleanConditionally: true },
  { stripUnlikely: false, weightClasses: false, cleanConditionally: false },
];

/**
 * Extracts the main text of an HTML page (a string, or bytes decoded with the page's charset).
 * Throws `not-html` for binary payloads.
 *
 * @example extractText('<html><body><nav>Home</nav><article><p>Hello, world.</p></article></body></html>')
 * // { text: 'Hello, world.' }
 */
export function extractText(
  html: string | Uint8Array,
  options: ExtractTextOptions = {},
): ExtractedText {
  let source: string;
  if (typeof html === 'string') source = html;
  else {
    if (looksBinary(html))
      throw new CrawlerFiltersError(
        'not-html',
        `payload of ${html.length} bytes looks binary; extraction needs an HTML page`,
      );
    source = decodeHtml(html, { contentType: options.contentType }).html;
  }
  if (source.includes('\u0000'))
    throw new CrawlerFiltersError(
      'not-html',
      'payload contains NUL characters; extraction needs an HTML page',
    );
  const minTextLength = options.minTextLength ?? 500;
  const separator = options.paragraphSeparator ?? '\n';
  let best: ExtractedText = { text: '' };
  for (const flags of ATTEMPTS) {
    const parsed = parseHtml(source);
    const titles = [parsed.metaTitle, parsed.title].filter((t): t is string => Boolean(t));
    const body = parsed.body ?? parsed.root;
    const article = findArticle(body, flags, titles);
    cleanArticle(article, flags);
    const text = renderText(article, separator);
    const title = parsed.metaTitle ?? parsed.title;
    if (text.length > best.text.length) best = title ? { text, title } : { text };
    if (text.length >= minTextLength) break;
  }
  return best;
}
