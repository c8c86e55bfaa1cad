// Text units the quality rules count: word tokens (punctuation split off, like NLTK's tokenizer
// that datatrove used), n-grams, duplicate counts, and a simple sentence splitter.

const SYMBOL_ONLY = /^[\p{P}\p{S}]+$/u;
const PUNCTUATION_CHAR = /[\p{P}\p{S}]/u;
const ASCII_PUNCTUATION = new Uint8Array(128).map((_, code) =>
  PUNCTUATION_CHAR.test(String.fromCharCode(code)) ? 1 : 0,
);

function isPunctuationAt(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  if (code < 128) return ASCII_PUNCTUATION[code] === 1;
  if (code >= 0xd800 && code <= 0xdfff) return false;
  return PUNCTUATION_CHAR.test(text[index]);
}

/**
 * Splits on whitespace, then splits leading and trailing punctuation off each piece.
 *
 * @example tokenizeWords('Hello, (big) world...') // ['Hello', ',', '(', 'big', ')', 'world', '...']
 */
export function tokenizeWords(text: string): string[] {
  const tokens: string[] = [];
  for (const piece of text.split(/\s+/u)) {
    const length = piece.length;
    if (length === 0) continue;
    let start = 0;
    while (start < length && isPunctuationAt(piece, start)) start++;
    if (start === length) {
      tokens.push(piece);
      continue;
    }
    let end = length;
    while (end > start && isPunctuationAt(piece, end - 1)) end--;
    if (start > 0) tokens.push(piece.slice(0, start));
    tokens.push(start === 0 && end === length ? piece : piece.slice(start, end));
    if (end < length) tokens.push(piece.slice(end));
  }
  return tokens;
}

/** True when a token is made of punctuation and symbols only. */
export function isSymbolToken(token: string): boolean {
  return SYMBOL_ONLY.test(token);
}

/** Word n-grams joined by one space. */
export function nGrams(words: readonly string[], n: number): string[] {
  const grams: string[] = [];
  for (let i = 0; i + n <= words.length; i++) grams.push(words.slice(i, i + n).join(' '));
  return grams;
}

/** Count and total length of elements that repeat an earlier element. */
export function findDuplicates(elements: readonly string[]): {
  elements: number;
  characters: number;
} {
  const seen = new Set<string>();
  let count = 0;
  let characters = 0;
  for (const element of elements) {
    if (seen.has(element)) {
      count++;
      characters += element.length;
    } else seen.add(element);
  }
  return { elements: count, characters };
}

/**
 * Splits text into sentences at `.`, `!`, `?` (and CJK full stops) followed by space or end.
 * A rough stand-in for NLTK's Punkt: abbreviations may split a sentence in two.
 */
export function splitSentences(text: string): string[] {
  return text
    .split(/(?<=[.!?。！？])["'”’)\]]*\s+|(?<=[。！？])/u)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.length > 0);
}
