import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CrawlerFiltersError } from '../errors.ts';
import { extractText } from './extract-text.ts';
import { parseHtml } from './html-tree.ts';
import { renderText } from './render.ts';
import { meanShingleF1, shingleScore } from './shingle-f1.ts';

const PARAGRAPH = (n: number) =>
  `<p>Paragraph ${n} of the article explains, in some detail, how the harbour was rebuilt after the storm, which boats returned first, and what the fishermen said about the new quay.</p>`;

const PAGE = `<!doctype html><html><head><title>Harbour rebuilt | Coast News</title>
<meta property="og:title" content="Harbour rebuilt after the storm">
<script>var tracking = "SCRIPT-TEXT";</script><style>.x{color:red}</style></head>
<body>
<div id="cookie-banner">We use cookies to improve your experience. Accept all cookies.</div>
<header class="site-header"><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav></header>
<div class="main-layout">
  <article class="post-content">
    <h1>Harbour rebuilt after the storm</h1>
    ${PARAGRAPH(1)}
    <h2>The new quay</h2>
    ${PARAGRAPH(2)}
    <ul><li>First item of the list about the quay, with enough words in it.</li><li>Second item of the list about the boats.</li></ul>
    ${PARAGRAPH(3)}
    <table><tr><th>Boat</th><th>Returned</th></tr><tr><td>Mary Ann</td><td>Monday</td></tr></table>
    <pre><code>quay.length = 120; // metres
quay.open();</code></pre>
    ${PARAGRAPH(4)}
    <div class="share-bar"><a href="/share/fb">Share on Facebook</a> <a href="/share/tw">Share on Twitter</a></div>
  </article>
  <aside class="sidebar"><h3>Most read</h3><ul><li><a href="/a">Other story one</a></li><li><a href="/b">Other story two</a></li></ul></aside>
</div>
<section id="comments"><h3>Comments</h3><p>First! This comment should not be part of the article text at all, really.</p></section>
<footer class="site-footer">Copyright 2024 Coast News. All rights reserved. Privacy policy.</footer>
</body></html>`;

describe('extractText', () => {
  const { text, title } = extractText(PAGE, { url: 'https://coast.example/harbour' });

  it('keeps headings, paragraphs, lists, table text and code, one block per line', () => {
    const lines = text.split('\n');
    expect(lines).toContain('The new quay');
    for (let n = 1; n <= 4; n++) expect(text).toContain(`Paragraph ${n} of the article`);
    expect(lines).toContain('First item of the list about the quay, with enough words in it.');
    expect(text).toMatch(/Mary Ann\s+Monday/);
    expect(text).toContain('quay.length = 120; // metres\nquay.open();');
    expect(title).toBe('Harbour rebuilt after the storm');
  });

  it('drops menus, cookie banners, share bars, sidebars, comments, footers and scripts', () => {
    for (const boilerplate of [
      'Home',
      'Accept all cookies',
      'Share on Facebook',
      'Most read',
      'First!',
      'Copyright',
      'SCRIPT-TEXT',
      'color:red',
    ])
      expect(text).not.toContain(boilerplate);
  });

  it('decodes bytes with the charset from the HTTP header or from <meta>', () => {
    const latin1 = (html: string) => Uint8Array.from(html, (c) => c.charCodeAt(0));
    const body = `<html><body><article><p>Le caf\u00e9 du port servait un th\u00e9 tr\u00e8s chaud aux p\u00eacheurs qui rentraient de la mer.</p></article></body></html>`;
    expect(
      extractText(latin1(body), { contentType: 'text/html; charset=ISO-8859-1' }).text,
    ).toContain('café du port');
    const withMeta = body.replace('<html>', '<html><head><meta charset="windows-1252"></head>');
    expect(extractText(latin1(withMeta)).text).toContain('thé très chaud');
    expect(extractText(new TextEncoder().encode(body)).text).toContain('pêcheurs');
  });

  it('rejects binary payloads and invalid UTF-8 with a reason', () => {
    const png = Uint8Array.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
    ]);
    expect(() => extractText(png)).toThrow(expect.objectContaining({ reason: 'not-html' }));
    const broken = Uint8Array.from([
      ...new TextEncoder().encode('<p>caf'),
      0xe9,
      0x20,
      0x6f,
      0x6b,
      0x3c,
      0x2f,
      0x70,
      0x3e,
    ]);
    expect(() => extractText(broken)).toThrow(CrawlerFiltersError);
    expect(() => extractText(broken)).toThrow(/not valid utf-8.*invalidBytes/);
  });

  it('returns empty text for a page without content instead of throwing', () => {
    expect(
      extractText('<html><body><script>var a = 1;</script><div hidden>gone</div></body></html>')
        .text,
    ).toBe('');
    expect(extractText('').text).toBe('');
  });
});

describe('extraction quality on real pages', () => {
  const dir = fileURLToPath(new URL('../../../../data/html/readability/', import.meta.url));
  // Every 8th page of the 106 (sorted by name): a spread sample, not hand-picked.
  const pages = readdirSync(dir)
    .filter((name) => existsSync(`${dir}${name}/source.html`))
    .sort()
    .filter((_, i) => i % 8 === 0);

  it('reaches a mean shingle F1 of at least 0.9 against the reference text', () => {
    const scores = pages.map((name) => {
      const truth = renderText([
        parseHtml(readFileSync(`${dir}${name}/expected.html`, 'utf8')).root,
      ]);
      const { text } = extractText(readFileSync(`${dir}${name}/source.html`, 'utf8'));
      return shingleScore({ predicted: text, truth });
    });
    expect(pages.length).toBeGreaterThanOrEqual(12);
    expect(meanShingleF1(scores).f1).toBeGreaterThan(0.9);
  });
});
