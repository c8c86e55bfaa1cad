// Signals the extractor scores with: class/id weights, link density, comma counts, visibility.
// The patterns follow the long-standing Readability/Arc90 heuristics, written out anew here.

import { type HtmlElement, type HtmlNode, textOf } from './html-tree.ts';

export const UNLIKELY =
  /-ad-|ai2html|banner|breadcrumb|combx|comment|community|cover-wrap|disqus|extra|footer|gdpr|header|legends|menu|related|remark|replies|rss|shoutbox|sidebar|skyscraper|social|sponsor|supplemental|ad-break|agegate|pagination|pager|popup|yom-remote|cookie|consent|newsletter|share/i;
export const MAYBE_CANDIDATE = /and|article|body|column|content|main|mathjax|shadow/i;
export const POSITIVE =
  /article|body|content|entry|hentry|h-entry|main|page|pagination|post|text|blog|story/i;
export const NEGATIVE =
  /-ad-|hidden|^hid$| hid$| hid |^hid |banner|combx|comment|com-|contact|footer|gdpr|masthead|media|meta|outbrain|promo|related|scroll|share|shoutbox|sidebar|skyscraper|sponsor|shopping|tags|widget/i;
export const UNLIKELY_ROLES = new Set([
  'menu',
  'menubar',
  'complementary',
  'navigation',
  'alert',
  'alertdialog',
  'dialog',
]);
const COMMAS = /[\u002C\u060C\uFE50\uFE10\uFE11\u2E41\u2E34\u2E32\uFF0C、]/gu;

export const BLOCK_TAGS = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'dd',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'tr',
  'ul',
  'body',
  'html',
  'br',
]);

/** `class` and `id` joined, the string the patterns are matched against. */
export function matchString(node: HtmlElement): string {
  const className = node.attributes.class ?? '';
  const id = node.attributes.id ?? '';
  return id ? `${className} ${id}` : className;
}

/** +25 for a positive class, −25 for a negative one, for `class` and `id` separately. */
export function classWeight(node: HtmlElement): number {
  let weight = 0;
  const className = node.attributes.class;
  const id = node.attributes.id;
  if (className) {
    if (NEGATIVE.test(className)) weight -= 25;
    if (POSITIVE.test(className)) weight += 25;
  }
  if (id) {
    if (NEGATIVE.test(id)) weight -= 25;
    if (POSITIVE.test(id)) weight += 25;
  }
  return weight;
}

/** Hidden by attribute or inline style. */
export function isHidden(node: HtmlElement): boolean {
  const a = node.attributes;
  if ('hidden' in a) return true;
  if (a['aria-hidden'] === 'true' && !(a.class ?? '').includes('fallback-image')) return true;
  const style = a.style;
  return style !== undefined && /display\s*:\s*none|visibility\s*:\s*hidden/iu.test(style);
}

/** Visible text length with whitespace collapsed, cached per element. */
const lengthCache = new WeakMap<HtmlElement, number>();
export function textLength(node: HtmlNode): number {
  if (typeof node === 'string') return node.replace(/\s+/gu, ' ').trim().length;
  let cached = lengthCache.get(node);
  if (cached === undefined) {
    cached = normalisedText(node).length;
    lengthCache.set(node, cached);
  }
  return cached;
}

export function forgetLengths(node: HtmlElement): void {
  lengthCache.delete(node);
  if (node.parent) forgetLengths(node.parent);
}

export function normalisedText(node: HtmlNode): string {
  return textOf(node).replace(/\s+/gu, ' ').trim();
}

export function commaCount(text: string): number {
  return text.match(COMMAS)?.length ?? 0;
}

/** Share of the element's text that sits inside links (in-page `#` links count 0.3). */
export function linkDensity(node: HtmlElement): number {
  const total = textLength(node);
  if (total === 0) return 0;
  let linked = 0;
  const walk = (element: HtmlElement) => {
    for (const child of element.children) {
      if (typeof child === 'string') continue;
      if (child.tag === 'a') {
        const href = child.attributes.href;
        linked += textLength(child) * (href && /^#./u.test(href) ? 0.3 : 1);
      } else walk(child);
    }
  };
  walk(node);
  return linked / total;
}

/** True when an element has a block-level descendant (a DIV without one is scored like a P). */
export function hasBlockChild(node: HtmlElement): boolean {
  for (const child of node.children) {
    if (typeof child === 'string') continue;
    if (BLOCK_TAGS.has(child.tag) || hasBlockChild(child)) return true;
  }
  return false;
}

export function countTags(node: HtmlElement, tags: ReadonlySet<string>): number {
  let count = 0;
  for (const child of node.children) {
    if (typeof child === 'string') continue;
    if (tags.has(child.tag)) count++;
    count += countTags(child, tags);
  }
  return count;
}
