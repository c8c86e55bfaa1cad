// Cleans the chosen article: removes share bars, negatively-weighted headings and, "conditionally",
// lists, tables and divs that look like navigation or link farms rather than prose.

import { descendants, type HtmlElement, removeNode } from './html-tree.ts';
import {
  classWeight,
  commaCount,
  countTags,
  forgetLengths,
  linkDensity,
  matchString,
  normalisedText,
  textLength,
} from './signals.ts';

const CONDITIONAL = new Set(['table', 'ul', 'ol', 'div', 'section', 'form', 'fieldset']);
const SHARE = /share|sharedaddy/iu;
const HEADINGS = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
const P = new Set(['p']);
const IMG = new Set(['img']);
const LI = new Set(['li']);
const INPUT = new Set(['input']);
const LISTS = new Set(['ul', 'ol']);
const ROWS = new Set(['tr']);
const KEEP_INSIDE = new Set(['code', 'pre', 'figure']);

function inside(node: HtmlElement, tags: ReadonlySet<string>): boolean {
  for (let p = node.parent; p; p = p.parent) if (tags.has(p.tag)) return true;
  return false;
}

function remove(node: HtmlElement): void {
  if (node.parent) forgetLengths(node.parent);
  removeNode(node);
}

function isDataTable(table: HtmlElement): boolean {
  const a = table.attributes;
  if (a.role === 'presentation' || a.datatable === '0') return false;
  if (a.summary || a.datatable === '1') return true;
  for (const d of descendants(table))
    if (d.tag === 'caption' || d.tag === 'th' || d.tag === 'thead') return true;
  const rows = countTags(table, ROWS);
  if (rows >= 10) return true;
  let cells = 0;
  for (const d of descendants(table)) if (d.tag === 'td') cells++;
  return rows > 0 && cells / rows > 4;
}

function listTextLength(node: HtmlElement): number {
  let length = 0;
  for (const d of descendants(node))
    if (LISTS.has(d.tag) && !inside(d, LISTS)) length += textLength(d);
  return length;
}

function shouldRemove(node: HtmlElement): boolean {
  if (node.tag === 'table' && isDataTable(node)) return false;
  if (inside(node, KEEP_INSIDE)) return false;
  const weight = classWeight(node);
  if (weight < 0) return true;
  const text = normalisedText(node);
  if (commaCount(text) >= 10) return false;
  const contentLength = text.length;
  let isList = LISTS.has(node.tag);
  if (!isList && contentLength > 0) isList = listTextLength(node) / contentLength > 0.9;
  const p = countTags(node, P);
  const img = countTags(node, IMG);
  const li = countTags(node, LI) - 100;
  const input = countTags(node, INPUT);
  let headingLength = 0;
  for (const d of descendants(node)) if (HEADINGS.has(d.tag)) headingLength += textLength(d);
  const headingDensity = contentLength > 0 ? headingLength / contentLength : 0;
  const density = linkDensity(node);
  return (
    (img > 1 && p / img < 0.5 && !inside(node, new Set(['figure']))) ||
    (!isList && li > p) ||
    input > Math.floor(p / 3) ||
    (!isList && headingDensity < 0.9 && contentLength < 25 && (img === 0 || img > 2)) ||
    (!isList && weight < 25 && density > 0.2) ||
    (weight >= 25 && density > 0.5)
  );
}

export interface CleanupFlags {
  cleanConditionally: boolean;
}

/** Cleans the article elements in place. */
export function cleanArticle(article: readonly HtmlElement[], flags: CleanupFlags): void {
  for (const root of article) {
    const all = [...descendants(root)];
    for (const node of all) {
      if (!node.parent) continue;
      const match = matchString(node);
      if (match && SHARE.test(match) && textLength(node) < 500) remove(node);
      else if ((node.tag === 'h1' || node.tag === 'h2') && classWeight(node) < 0) remove(node);
    }
    if (!flags.cleanConditionally) continue;
    const conditional = [...descendants(root)].filter((n) => CONDITIONAL.has(n.tag));
    for (let i = conditional.length - 1; i >= 0; i--) {
      const node = conditional[i];
      if (node.parent && isAttached(node, root) && shouldRemove(node)) remove(node);
    }
  }
}

function isAttached(node: HtmlElement, root: HtmlElement): boolean {
  for (let p: HtmlElement | undefined = node; p; p = p.parent) if (p === root) return true;
  return false;
}
