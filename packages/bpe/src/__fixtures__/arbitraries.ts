// fast-check arbitraries for awkward text: emoji, CJK, combining marks, \r\n mixes, digits, long
// white space runs, lone surrogates, contractions, letters of every case class.
import fc from 'fast-check';

const codePoint = (min: number, max: number) =>
  fc.integer({ min, max }).map((c) => String.fromCodePoint(c));

export const awkwardUnit = fc.oneof(
  codePoint(0x20, 0x7e),
  fc.constantFrom(' ', ' ', '\n', '\r', '\t', '\u000b', '\u00a0', '\u3000', '\ufeff', '\u0085', '\u2028'),
  fc.constantFrom("'s", "'T", "'ll", "'LL", "'Ve", "'re", "'d", "'M", "'x", "'ſ"),
  fc.constantFrom('\r\n', '\n\n', ' \n ', '\r\n\r\n  ', '  \t', '//', ' /\n', '!!!\n'),
  fc.integer({ min: 1, max: 120 }).map((n) => ' '.repeat(n)),
  fc.integer({ min: 1, max: 12 }).map((n) => '9'.repeat(n)),
  codePoint(0x30, 0x39),
  codePoint(0x4e00, 0x9fff),
  codePoint(0x3040, 0x30ff),
  codePoint(0x1f300, 0x1faff),
  fc.constantFrom('👍🏽', '👨‍👩‍👧', '🇫🇷', '❤️'),
  codePoint(0x0300, 0x036f),
  codePoint(0xc0, 0x24f),
  codePoint(0x370, 0x52f),
  codePoint(0x10a0, 0x10ff),
  fc.constantFrom('ǅ', 'ʰ', 'ß', 'İ', 'K', 'Å', 'Ⅻ', '²', '٣', '𝟘', '𐐀', '𐐨'),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  codePoint(0, 0x10ffff),
  fc.constantFrom('HELLO', 'Hello', 'hELLO', 'don\'t', "JOHN'S", 'x86_64'),
);

/** Strings of 0..40 awkward units. */
export const awkwardString = fc.array(awkwardUnit, { maxLength: 40 }).map((units) => units.join(''));

/** Well-formed strings (no lone surrogates). */
export const wellFormedString = awkwardString.filter(
  (s) => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s),
);
