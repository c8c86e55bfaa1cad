// Renders article elements as plain text: one line per paragraph, heading, list item or table row
// (cells separated by a tab), `<br>` as a line break, `<pre>` whitespace kept.

import type { HtmlElement, HtmlNode } from './html-tree.ts';
import { BLOCK_TAGS } from './signals.ts';

class LineWriter {
  lines: string[] = [];
  current = '';

  text(value: string): void {
    this.current += value;
  }

  breakLine(): void {
    const line = this.current.replace(/[ \t\f\v\r\n\u00a0]+/gu, ' ').trim();
    if (line) this.lines.push(line);
    this.current = '';
  }

  raw(value: string): void {
    this.breakLine();
    for (const line of value.split('\n')) {
      const trimmed = line.trimEnd();
      if (trimmed.trim()) this.lines.push(trimmed);
    }
  }
}

function preText(node: HtmlNode): string {
  if (typeof node === 'string') return node;
  if (node.tag === 'br') return '\n';
  return node.children.map(preText).join('');
}

function walk(node: HtmlNode, out: LineWriter): void {
  if (typeof node === 'string') {
    out.text(node);
    return;
  }
  if (node.tag === 'br') {
    out.breakLine();
    return;
  }
  if (node.tag === 'pre') {
    out.raw(preText(node));
    return;
  }
  if (node.tag === 'td' || node.tag === 'th') {
    out.text('\t');
    for (const child of node.children) walk(child, out);
    out.text('\t');
    return;
  }
  const block = BLOCK_TAGS.has(node.tag);
  if (block) out.breakLine();
  else if (node.tag === 'img' && node.attributes.alt === undefined) return;
  for (const child of node.children) walk(child, out);
  if (block) out.breakLine();
}

/** Plain text of the elements, lines joined with `separator`. */
export function renderText(elements: readonly HtmlElement[], separator = '\n'): string {
  const out = new LineWriter();
  for (const element of elements) walk(element, out);
  out.breakLine();
  return out.lines.join(separator);
}
