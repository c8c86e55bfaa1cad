// Main-text extraction on the 106 real pages of Readability's test suite: word-4-gram shingle F1
// against the reference text (expected.html) and pages/s, lmkit vs Readability.js on linkedom.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { extractText, meanShingleF1, shingleScore } from '@lmkit/crawler-filters';
import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { bench } from './harness.ts';

const DIR = fileURLToPath(new URL('../data/html/readability/', import.meta.url));

interface Page {
  name: string;
  source: string;
  truth: string;
}

function readability(source: string): string {
  const { document } = parseHTML(source);
  const article = new Readability(
    document as unknown as ConstructorParameters<typeof Readability>[0],
  ).parse();
  return article?.content ?? '';
}

/** A tag stripper: all body text, the floor any main-content extractor should beat. */
function stripTags(source: string): string {
  const { document } = parseHTML(source);
  return blockText(document.body);
}

export function run(): void {
  const pages: Page[] = readdirSync(DIR)
    .filter((name) => existsSync(`${DIR}${name}/source.html`))
    .sort()
    .map((name) => {
      const expected = readFileSync(`${DIR}${name}/expected.html`, 'utf8');
      const { document } = parseHTML(`<html><body>${expected}</body></html>`);
      return {
        name,
        source: readFileSync(`${DIR}${name}/source.html`, 'utf8'),
        truth: blockText(document.body),
      };
    });
  const contenders: { name: string; text: (source: string) => string }[] = [
    { name: 'lmkit extractText (htmlparser2)', text: (s) => extractText(s).text },
    {
      name: 'Readability.js 0.6 on linkedom',
      text: (s) =>
        blockText(parseHTML(`<html><body>${readability(s)}</body></html>`).document.body),
    },
    { name: 'tag stripper (all body text)', text: stripTags },
  ];
  console.log(
    `\n## Extraction quality: ${pages.length} pages of Readability's test suite, word-4-gram shingle F1 vs expected.html`,
  );
  console.log(
    "expected.html is Readability.js's own output, so Readability scores ~1.0 here by construction.",
  );
  console.log('| extractor | precision | recall | F1 |');
  console.log('| --- | --- | --- | --- |');
  for (const contender of contenders) {
    const scores = pages.map((page) =>
      shingleScore({ predicted: contender.text(page.source), truth: page.truth }),
    );
    const { precision, recall, f1 } = meanShingleF1(scores);
    console.log(
      `| ${contender.name} | ${precision.toFixed(3)} | ${recall.toFixed(3)} | ${f1.toFixed(3)} |`,
    );
  }
  bench({
    title: `Extraction speed: ${pages.length} pages per run`,
    units: { amount: pages.length, label: 'pages' },
    rounds: 3,
    baseline: 'Readability.js 0.6 on linkedom',
    contenders: [
      {
        name: 'lmkit extractText (htmlparser2)',
        run: () => pages.map((p) => extractText(p.source).text.length),
      },
      {
        name: 'Readability.js 0.6 on linkedom',
        run: () => pages.map((p) => readability(p.source).length),
      },
    ],
  });
}

/** Text of a DOM subtree, one line per block element, so words never fuse across blocks. */
function blockText(node: { childNodes: ArrayLike<unknown> } | null): string {
  const BLOCKS =
    /^(P|DIV|LI|UL|OL|H[1-6]|TR|TD|TH|TABLE|PRE|BLOCKQUOTE|SECTION|ARTICLE|BR|FIGURE|FIGCAPTION|DL|DT|DD|HEADER|FOOTER|ASIDE|NAV|MAIN)$/;
  let out = '';
  const walk = (n: {
    nodeType: number;
    nodeName: string;
    textContent: string | null;
    childNodes: ArrayLike<unknown>;
  }) => {
    if (n.nodeType === 3) {
      out += n.textContent ?? '';
      return;
    }
    if (n.nodeType !== 1) return;
    if (/^(SCRIPT|STYLE|NOSCRIPT|TEMPLATE)$/.test(n.nodeName)) return;
    const block = BLOCKS.test(n.nodeName);
    if (block) out += '\n';
    for (const child of Array.from(n.childNodes)) walk(child as typeof n);
    if (block) out += '\n';
  };
  if (node)
    for (const child of Array.from(node.childNodes)) walk(child as Parameters<typeof walk>[0]);
  return out
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/\s*\n\s*/g, '\n')
    .trim();
}
