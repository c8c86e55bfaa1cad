// A Tiktokenizer-style view of token ids: each token on an alternating background colour, white
// space made visible, then the token count and the ids. ANSI for terminals, HTML for web pages.

/** What the view needs from a tokenizer (the `Tokenizer` class has it). */
export interface TokenSource {
  tokenToBytes(id: number): Uint8Array;
  isSpecialId(id: number): boolean;
}

export interface FormatTokensOptions {
  /** `'ansi'` (terminal colours) or `'html'` (spans with inline styles). */
  format: 'ansi' | 'html';
  /** Print the count and the ids under the text; default true. */
  showIds?: boolean;
}

const ANSI_BACKGROUNDS = [153, 194, 223, 217, 189];
const HTML_BACKGROUNDS = ['#cde4f7', '#d4f2d0', '#fbe5c8', '#f7d0d0', '#ddd6f5'];
const strict = new TextDecoder('utf-8', { fatal: true });

/**
 * The visible text of one token: spaces as `·`, tabs as `→`, `\r` as `␍`, newlines as `↵` (followed by
 * a real line break); bytes that are not whole UTF-8 characters as `<E4>`.
 */
export function visibleToken(bytes: Uint8Array): { text: string; lineBreaks: number } {
  let text: string;
  try {
    text = strict.decode(bytes);
  } catch {
    return {
      text: Array.from(bytes, (b) => `<${b.toString(16).toUpperCase().padStart(2, '0')}>`).join(''),
      lineBreaks: 0,
    };
  }
  let lineBreaks = 0;
  const shown = text.replace(/[ \t\r\n]/g, (c) => {
    if (c === ' ') return '·';
    if (c === '\t') return '→';
    if (c === '\r') return '␍';
    lineBreaks++;
    return '↵';
  });
  return { text: shown, lineBreaks };
}

function escapeHtml(text: string) {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Formats ids as a coloured token view (see `FormatTokensOptions`). */
export function formatTokens(
  ids: readonly number[],
  tokenizer: TokenSource,
  options: FormatTokensOptions,
): string {
  const showIds = options.showIds ?? true;
  const count = `${ids.length} token${ids.length === 1 ? '' : 's'}`;
  if (options.format === 'ansi') {
    let out = '';
    ids.forEach((id, i) => {
      const { text, lineBreaks } = visibleToken(tokenizer.tokenToBytes(id));
      const style = tokenizer.isSpecialId(id)
        ? '\x1b[1;97;48;5;25m'
        : `\x1b[30;48;5;${ANSI_BACKGROUNDS[i % ANSI_BACKGROUNDS.length]}m`;
      out += `${style}${text}\x1b[0m${'\n'.repeat(lineBreaks)}`;
    });
    return showIds ? `${count}\n${out}\n${JSON.stringify(ids)}\n` : `${out}\n`;
  }
  const spans = ids.map((id, i) => {
    const { text, lineBreaks } = visibleToken(tokenizer.tokenToBytes(id));
    const background = tokenizer.isSpecialId(id)
      ? 'background:#1f5fa8;color:#fff;font-weight:bold'
      : `background:${HTML_BACKGROUNDS[i % HTML_BACKGROUNDS.length]}`;
    return `<span class="lmkit-token" data-id="${id}" title="id ${id}" style="${background}">${escapeHtml(text)}</span>${'\n'.repeat(lineBreaks)}`;
  });
  const body = `<pre class="lmkit-token-text" style="white-space:pre-wrap">${spans.join('')}</pre>`;
  if (!showIds) return `<div class="lmkit-tokens">${body}</div>`;
  return `<div class="lmkit-tokens"><p class="lmkit-token-count">${count}</p>${body}<p class="lmkit-token-ids">${escapeHtml(JSON.stringify(ids))}</p></div>`;
}
