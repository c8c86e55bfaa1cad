// Finds the element holding the main content: drops hidden and unlikely nodes, scores paragraphs
// by length and commas, propagates scores to ancestors, then gathers the best candidate's siblings.

import { type HtmlElement, type HtmlNode, removeNode, textOf } from './html-tree.ts';
import {
  BLOCK_TAGS,
  classWeight,
  commaCount,
  isHidden,
  linkDensity,
  MAYBE_CANDIDATE,
  matchString,
  normalisedText,
  UNLIKELY,
  UNLIKELY_ROLES,
} from './signals.ts';

export interface ScoringFlags {
  stripUnlikely: boolean;
  weightClasses: boolean;
}

const SCORED = new Set(['p', 'td', 'pre', 'section', 'h2', 'h3', 'h4', 'h5', 'h6']);
const BOILERPLATE_TAGS = new Set(['nav', 'aside', 'footer', 'form', 'fieldset', 'dialog']);

function tagBase(tag: string): number {
  switch (tag) {
    case 'div':
      return 5;
    case 'pre':
    case 'td':
    case 'blockquote':
      return 3;
    case 'address':
    case 'ol':
    case 'ul':
    case 'dl':
    case 'dd':
    case 'dt':
    case 'li':
    case 'form':
      return -3;
    case 'h1':
    case 'h2':
    case 'h3':
    case 'h4':
    case 'h5':
    case 'h6':
    case 'th':
      return -5;
    default:
      return 0;
  }
}

function initScore(node: HtmlElement, flags: ScoringFlags): void {
  node.score = tagBase(node.tag) + (flags.weightClasses ? classWeight(node) : 0);
}

function insideTag(node: HtmlElement, tags: ReadonlySet<string>): boolean {
  for (let p = node.parent; p; p = p.parent) if (tags.has(p.tag)) return true;
  return false;
}
const KEEP_INSIDE = new Set(['table', 'code', 'pre']);

/** Tags whose element has a block descendant, computed bottom-up once. */
function markBlocks(node: HtmlElement, withBlock: Set<HtmlElement>): boolean {
  let found = false;
  for (const child of node.children) {
    if (typeof child === 'string') continue;
    if (markBlocks(child, withBlock) || BLOCK_TAGS.has(child.tag)) found = true;
  }
  if (found) withBlock.add(node);
  return found;
}

/** Wraps runs of inline content inside a block container into synthetic `p` elements. */
function wrapInlineRuns(node: HtmlElement, withBlock: ReadonlySet<HtmlElement>): void {
  const out: HtmlNode[] = [];
  let run: HtmlNode[] = [];
  const flush = () => {
    if (run.some((n) => textOf(n).trim() !== '')) {
      const p: HtmlElement = { tag: 'p', attributes: {}, children: run, parent: node };
      for (const child of run) if (typeof child !== 'string') child.parent = p;
      out.push(p);
    } else out.push(...run);
    run = [];
  };
  for (const child of node.children) {
    if (typeof child !== 'string' && (BLOCK_TAGS.has(child.tag) || withBlock.has(child))) {
      flush();
      out.push(child);
    } else run.push(child);
  }
  flush();
  node.children = out;
}

/** Removes hidden and unlikely elements; returns the elements to score, in document order. */
function prepare(body: HtmlElement, flags: ScoringFlags, titles: string[]): HtmlElement[] {
  const withBlock = new Set<HtmlElement>();
  markBlocks(body, withBlock);
  const toScore: HtmlElement[] = [];
  let titleHeaderRemoved = false;
  const visit = (node: HtmlElement) => {
    for (const child of [...node.children]) {
      if (typeof child === 'string') continue;
      if (isHidden(child)) {
        removeNode(child);
        continue;
      }
      if (flags.stripUnlikely) {
        const match = matchString(child);
        const role = child.attributes.role;
        if (
          BOILERPLATE_TAGS.has(child.tag) ||
          (role && UNLIKELY_ROLES.has(role)) ||
          (match &&
            UNLIKELY.test(match) &&
            !MAYBE_CANDIDATE.test(match) &&
            child.tag !== 'a' &&
            child.tag !== 'body' &&
            !insideTag(child, KEEP_INSIDE))
        ) {
          removeNode(child);
          continue;
        }
      }
      if (!titleHeaderRemoved && (child.tag === 'h1' || child.tag === 'h2')) {
        const text = normalisedText(child);
        if (titles.some((title) => similarity(title, text) > 0.75)) {
          titleHeaderRemoved = true;
          removeNode(child);
          continue;
        }
      }
      if (SCORED.has(child.tag)) toScore.push(child);
      else if (child.tag === 'div' && !withBlock.has(child)) {
        child.tag = 'p';
        toScore.push(child);
      } else if (
        withBlock.has(child) &&
        child.tag !== 'table' &&
        child.tag !== 'tbody' &&
        child.tag !== 'tr'
      ) {
        wrapInlineRuns(child, withBlock);
      }
      visit(child);
    }
  };
  visit(body);
  return toScore;
}

/** Share of the header's word characters that also appear in the title (0..1). */
export function similarity(title: string, header: string): number {
  const titleWords = new Set(
    title
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean),
  );
  const headerWords = header
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  if (titleWords.size === 0 || headerWords.length === 0) return 0;
  const total = headerWords.join(' ').length;
  const missing = headerWords.filter((w) => !titleWords.has(w)).join(' ').length;
  return 1 - missing / total;
}

/** Picks the main-content container and returns the elements that form the article. */
export function findArticle(
  body: HtmlElement,
  flags: ScoringFlags,
  titles: string[],
): HtmlElement[] {
  const toScore = prepare(body, flags, titles);
  const candidates: HtmlElement[] = [];
  for (const element of toScore) {
    if (!element.parent) continue;
    const text = normalisedText(element);
    if (text.length < 25) continue;
    const score = 1 + commaCount(text) + Math.min(Math.floor(text.length / 100), 3);
    let level = 0;
    for (
      let ancestor: HtmlElement | undefined = element.parent;
      ancestor && level < 5;
      ancestor = ancestor.parent, level++
    ) {
      if (ancestor.tag === '#root') break;
      if (ancestor.score === undefined) {
        initScore(ancestor, flags);
        candidates.push(ancestor);
      }
      const divider = level === 0 ? 1 : level === 1 ? 2 : level * 3;
      ancestor.score! += score / divider;
    }
  }
  let top: HtmlElement | undefined;
  for (const candidate of candidates) {
    candidate.score! *= 1 - linkDensity(candidate);
    if (!top || candidate.score! > top.score!) top = candidate;
  }
  if (!top || top === body) return [body];
  top = climb(top, candidates, body);
  return gatherSiblings(top);
}

function climb(start: HtmlElement, candidates: HtmlElement[], body: HtmlElement): HtmlElement {
  let top = start;
  const sorted = [...candidates].sort((a, b) => b.score! - a.score!).slice(1, 5);
  const close = sorted.filter((c) => c.score! / top.score! >= 0.75);
  if (close.length >= 2) {
    for (
      let parent = top.parent;
      parent && parent !== body && parent.tag !== '#root';
      parent = parent.parent
    ) {
      const containing = close.filter((c) => contains(parent, c)).length;
      if (containing >= 2) {
        top = parent;
        break;
      }
    }
  }
  if (top.score === undefined) top.score = 0;
  let lastScore = top.score!;
  const threshold = lastScore / 3;
  for (
    let parent = top.parent;
    parent && parent !== body && parent.tag !== '#root';
    parent = parent.parent
  ) {
    if (parent.score === undefined) continue;
    if (parent.score < threshold) break;
    if (parent.score > lastScore) {
      top = parent;
      break;
    }
    lastScore = parent.score;
  }
  while (
    top.parent &&
    top.parent !== body &&
    top.parent.tag !== '#root' &&
    elementChildren(top.parent).length === 1
  )
    top = top.parent;
  return top;
}

function contains(ancestor: HtmlElement, node: HtmlElement): boolean {
  for (let p: HtmlElement | undefined = node; p; p = p.parent) if (p === ancestor) return true;
  return false;
}

export function elementChildren(node: HtmlElement): HtmlElement[] {
  return node.children.filter((c): c is HtmlElement => typeof c !== 'string');
}

function gatherSiblings(top: HtmlElement): HtmlElement[] {
  const parent = top.parent;
  if (!parent) return [top];
  const threshold = Math.max(10, top.score! * 0.2);
  const topClass = top.attributes.class ?? '';
  const article: HtmlElement[] = [];
  for (const sibling of elementChildren(parent)) {
    if (sibling === top) {
      article.push(sibling);
      continue;
    }
    const bonus = topClass && sibling.attributes.class === topClass ? top.score! * 0.2 : 0;
    if (sibling.score !== undefined && sibling.score + bonus >= threshold) article.push(sibling);
    else if (sibling.tag === 'p') {
      const density = linkDensity(sibling);
      const text = normalisedText(sibling);
      if (text.length > 80 && density < 0.25) article.push(sibling);
      else if (text.length > 0 && text.length < 80 && density === 0 && /\.( |$)/u.test(text))
        article.push(sibling);
    }
  }
  return article;
}
