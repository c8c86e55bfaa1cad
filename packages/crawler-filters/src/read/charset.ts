// Decodes HTML bytes to a string: byte-order mark, then the HTTP Content-Type charset, then a
// `<meta charset>` / `http-equiv` declaration in the first 2 KiB, then UTF-8; a page that declares
// nothing and is not valid UTF-8 gets its charset from a statistical detector (chardet: byte
// n-grams per language), as browsers fall back to guessing: windows-1251, KOI8-R, Shift_JIS, EUC-JP...

import { analyse } from 'chardet';
import { CrawlerFiltersError } from '../errors.ts';

export interface DecodeHtmlOptions {
  /** The HTTP `Content-Type` header, e.g. `text/html; charset=ISO-8859-1`. */
  contentType?: string;
  /** What to do with bytes invalid in the charset: count the page as an error, or use U+FFFD. Default `'error'`. */
  invalidBytes?: 'error' | 'replace';
}

const CHARSET_IN_HEADER = /charset\s*=\s*["']?([\w.:-]+)/iu;
const META_CHARSET = /<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)/iu;

function sniffBom(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  return undefined;
}

/** The charset a page declares, or `undefined`. */
export function detectCharset(bytes: Uint8Array, contentType?: string): string | undefined {
  const bom = sniffBom(bytes);
  if (bom) return bom;
  const header = contentType ? CHARSET_IN_HEADER.exec(contentType)?.[1] : undefined;
  if (header && isSupported(header)) return header.toLowerCase();
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 2048));
  const meta = META_CHARSET.exec(head)?.[1];
  if (meta && isSupported(meta)) return meta.toLowerCase();
  return undefined;
}

/** Detector guesses below this confidence (0–100) are not trusted. */
const MIN_DETECTION_CONFIDENCE = 25;
/** Bytes the detector looks at: enough for its statistics, bounded for huge pages. */
const DETECTION_SAMPLE_BYTES = 64 * 1024;

/**
 * The charset of an undeclared page that is not UTF-8, by statistics: the detector's candidates
 * from the most confident down, the first that decodes the bytes without an error; `undefined`
 * when none is confident enough.
 */
export function guessCharset(bytes: Uint8Array): string | undefined {
  const candidates = analyse(bytes.subarray(0, DETECTION_SAMPLE_BYTES));
  for (const { name, confidence } of candidates) {
    if (confidence < MIN_DETECTION_CONFIDENCE) break;
    const label = name.toLowerCase();
    if (label === 'utf-8' || label === 'ascii' || !isSupported(label)) continue;
    try {
      new TextDecoder(label, { fatal: true }).decode(bytes);
      return label;
    } catch {}
  }
  return undefined;
}

function isSupported(label: string): boolean {
  try {
    new TextDecoder(label);
    return true;
  } catch {
    return false;
  }
}

/**
 * Decodes page bytes; throws `invalid-encoding` for bytes invalid in the charset (unless
 * `replace`). `detected` is true when the charset was guessed (nothing declared, not UTF-8).
 */
export function decodeHtml(
  bytes: Uint8Array,
  options: DecodeHtmlOptions = {},
): { html: string; charset: string; detected?: true } {
  const declared = detectCharset(bytes, options.contentType);
  // Pages that declare ASCII or Latin-1 are decoded as windows-1252, as browsers do.
  const charset = declared ?? 'utf-8';
  const fatal = (options.invalidBytes ?? 'error') === 'error';
  try {
    return { html: new TextDecoder(charset, { fatal: true }).decode(bytes), charset };
  } catch (error) {
    if (!declared) {
      const guessed = guessCharset(bytes);
      if (guessed) {
        return { html: new TextDecoder(guessed).decode(bytes), charset: guessed, detected: true };
      }
    }
    if (!fatal) return { html: new TextDecoder(charset).decode(bytes), charset };
    throw new CrawlerFiltersError(
      'invalid-encoding',
      `page bytes are not valid ${charset}${declared ? '' : ' (no charset declared)'}: ${(error as Error).message}; ` +
        "pass invalidBytes: 'replace' (lmkit-fineweb run --invalid-bytes replace) to decode with U+FFFD instead",
    );
  }
}

/** True when bytes look like a binary payload (NUL bytes or many control bytes in the first 1 KiB). */
export function looksBinary(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 1024);
  let control = 0;
  for (const byte of sample) {
    if (byte === 0) return true;
    if (byte < 9 || (byte > 13 && byte < 32)) control++;
  }
  return sample.length > 0 && control / sample.length > 0.1;
}
