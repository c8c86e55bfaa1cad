import { describe, expect, it } from 'vitest';
import { decodeHtml, detectCharset, looksBinary } from './charset.ts';

const bytes = (...values: number[]) => Uint8Array.from(values);
const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

describe('charset detection and decoding', () => {
  it('prefers a byte-order mark, then the HTTP header, then <meta>, then UTF-8', () => {
    expect(detectCharset(bytes(0xef, 0xbb, 0xbf, 0x41), 'text/html; charset=iso-8859-1')).toBe(
      'utf-8',
    );
    expect(detectCharset(bytes(0xff, 0xfe, 0x41, 0))).toBe('utf-16le');
    expect(detectCharset(ascii('<meta charset="koi8-r">'), 'text/html; charset="Shift_JIS"')).toBe(
      'shift_jis',
    );
    expect(
      detectCharset(
        ascii('<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'),
      ),
    ).toBe('windows-1251');
    expect(detectCharset(ascii('<meta charset="no-such-charset"><p>x</p>'))).toBeUndefined();
  });

  it('decodes legacy charsets and CJK encodings', () => {
    expect(
      decodeHtml(bytes(0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2), {
        contentType: 'text/html; charset=windows-1251',
      }).html,
    ).toBe('Привет');
    expect(
      decodeHtml(bytes(0x82, 0xa0), { contentType: 'text/html; charset=shift_jis' }).html,
    ).toBe('あ');
  });

  it('reports invalid UTF-8 with the value and the fix, or replaces it on request', () => {
    const broken = bytes(0x63, 0x61, 0x66, 0xe9);
    expect(() => decodeHtml(broken)).toThrow(
      expect.objectContaining({ reason: 'invalid-encoding' }),
    );
    expect(() => decodeHtml(broken)).toThrow(
      /no charset declared.*invalidBytes: 'replace' \(lmkit-fineweb run --invalid-bytes replace\)/,
    );
    expect(decodeHtml(broken, { invalidBytes: 'replace' }).html).toBe('caf\ufffd');
  });

  it('tells binary payloads from text', () => {
    expect(looksBinary(bytes(0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0, 1))).toBe(true);
    expect(looksBinary(new TextEncoder().encode('<p>plain text, ünïcödé</p>\r\n\t'))).toBe(false);
    expect(looksBinary(new Uint8Array(0))).toBe(false);
  });
});
