// A minimal element tree built from htmlparser2's streaming callbacks: only what extraction needs
// (tag, attributes, children, text). Script, style and other never-visible content is not kept.

import { Parser } from 'htmlparser2';

export type HtmlNode = HtmlElement | string;

export interface HtmlElement {
  tag: string;
  attributes: Record<string, string>;
  children: HtmlNode[];
  parent: HtmlElement | undefined;
  /** Readability-style content score; `undefined` until the element is a candidate. */
  score?: number;
}

export interface ParsedHtml {
  root: HtmlElement;
  body: HtmlElement | undefined;
  title?: string;
  metaTitle?: string;
}

/** Elements whose content is never article text. */
const SKIPPED = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'math',
  'iframe',
  'object',
  'embed',
  'canvas',
  'audio',
  'video',
  'select',
  'textarea',
  'button',
  'input',
  'link',
  'meta',
  'title',
]);

function element(
  tag: string,
  attributes: Record<string, string>,
  parent?: HtmlElement,
): HtmlElement {
  return { tag, attributes, children: [], parent };
}

/** Parses HTML into a small tree. Never throws: malformed markup is repaired the way htmlparser2 does. */
export function parseHtml(html: string): ParsedHtml {
  const root = element('#root', {});
  let current = root;
  let skipDepth = 0;
  let inTitle = false;
  let title = '';
  let metaTitle: string | undefined;
  let body: HtmlElement | undefined;
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (name === 'title') inTitle = true;
        if (name === 'meta') {
          const key = attributes.property ?? attributes.name;
          if ((key === 'og:title' || key === 'twitter:title') && attributes.content && !metaTitle)
            metaTitle = attributes.content;
        }
        if (skipDepth > 0 || SKIPPED.has(name)) {
          skipDepth++;
          return;
        }
        const child = element(name, attributes, current);
        current.children.push(child);
        current = child;
        if (name === 'body' && !body) body = child;
      },
      ontext(text) {
        if (inTitle) title += text;
        if (skipDepth > 0) return;
        const last = current.children.length - 1;
        if (last >= 0 && typeof current.children[last] === 'string') current.children[last] += text;
        else current.children.push(text);
      },
      onclosetag(name) {
        if (name === 'title') inTitle = false;
        if (skipDepth > 0) {
          skipDepth--;
          return;
        }
        if (current.parent) current = current.parent;
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.end(html);
  const cleanTitle = title.replace(/\s+/gu, ' ').trim();
  return { root, body, title: cleanTitle || undefined, metaTitle: metaTitle?.trim() || undefined };
}

/** Concatenated text of an element (no separators added). */
export function textOf(node: HtmlNode): string {
  if (typeof node === 'string') return node;
  let text = '';
  for (const child of node.children) text += textOf(child);
  return text;
}

/** Every descendant element, depth first. */
export function* descendants(node: HtmlElement): Generator<HtmlElement> {
  for (const child of node.children) {
    if (typeof child === 'string') continue;
    yield child;
    yield* descendants(child);
  }
}

export function removeNode(node: HtmlElement): void {
  const parent = node.parent;
  if (!parent) return;
  const index = parent.children.indexOf(node);
  if (index !== -1) parent.children.splice(index, 1);
  node.parent = undefined;
}
