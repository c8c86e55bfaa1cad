// Pages in legacy charsets that declare none (no HTTP charset, no <meta>): detected and decoded,
// on their own and read from a WARC file. The texts are written for these tests; iconv-lite
// encodes them into each charset.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import type { Document } from '../document.ts';
import { buildWarc } from './build-warc.ts';
import { decodeHtml } from './charset.ts';
import { readWarc } from './read-warc.ts';

const russian =
  'Вчера в нашем городе прошёл большой осенний праздник. Жители собрались на центральной площади, ' +
  'чтобы послушать музыку, попробовать горячие пироги и посмотреть на выступления местных артистов. ' +
  'Погода была тёплой и солнечной, поэтому многие пришли вместе с детьми и друзьями.';
const japanese =
  '昨日、町の中心で秋の大きなお祭りがありました。多くの人々が広場に集まり、音楽を聴いたり、' +
  '屋台の食べ物を楽しんだり、地元の芸人の踊りを見たりしました。天気はとても良く、家族連れもたくさん来ていました。';

const page = (title: string, text: string) =>
  `<!doctype html><html><head><title>${title}</title></head><body><article><p>${text}</p></article></body></html>`;

const cases = [
  { charset: 'windows-1251', html: page('Новости города', russian) },
  { charset: 'koi8-r', html: page('Новости города', russian) },
  { charset: 'shift_jis', html: page('町のニュース', japanese) },
  { charset: 'euc-jp', html: page('町のニュース', japanese) },
];

const dir = mkdtempSync(join(tmpdir(), 'lmkit-charsets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pages in legacy charsets without a declaration', () => {
  it.each(cases)('$charset is detected and decoded', ({ charset, html }) => {
    const bytes = new Uint8Array(iconv.encode(html, charset));
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    expect(decodeHtml(bytes, { contentType: 'text/html' })).toEqual({
      html,
      charset,
      detected: true,
    });
  });

  it('4 of 4 are kept by readWarc with their text intact', async () => {
    const path = join(dir, 'legacy.warc.gz');
    await buildWarc({
      path,
      records: cases.map(({ charset, html }) => ({
        url: `https://${charset}.example/news`,
        body: new Uint8Array(iconv.encode(html, charset)),
        contentType: 'text/html',
      })),
    });
    const errors: string[] = [];
    const docs: Document[] = [];
    for await (const doc of readWarc({ path, onError: (_d, reason) => errors.push(reason) })) {
      docs.push(doc);
    }
    expect(errors).toEqual([]);
    expect(docs.map((d) => d.metadata.charset)).toEqual(cases.map((c) => c.charset));
    expect(docs.map((d) => d.html)).toEqual(cases.map((c) => c.html));
  });

  it('a declared charset still wins, and short undecidable bytes stay an error', () => {
    const bytes = new Uint8Array(iconv.encode(page('Новости', russian), 'koi8-r'));
    expect(decodeHtml(bytes, { contentType: 'text/html; charset=koi8-r' })).toEqual({
      html: page('Новости', russian),
      charset: 'koi8-r',
    });
    expect(() => decodeHtml(Uint8Array.from([0x63, 0x61, 0x66, 0xe9]))).toThrow(
      expect.objectContaining({ reason: 'invalid-encoding' }),
    );
  });
});
