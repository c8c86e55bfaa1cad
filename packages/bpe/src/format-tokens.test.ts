import { describe, expect, it } from 'vitest';
import { ourTokenizer } from './__fixtures__/reference.ts';
import { formatTokens, visibleToken } from './format-tokens.ts';

describe('formatTokens', () => {
  it('shows white space and marks partial UTF-8 bytes', () => {
    expect(visibleToken(new TextEncoder().encode(' a\tb\r\n'))).toEqual({
      text: '·a→b␍↵',
      lineBreaks: 1,
    });
    expect(visibleToken(Uint8Array.of(0xe4, 0xbd))).toEqual({ text: '<E4><BD>', lineBreaks: 0 });
  });

  it('colours tokens alternately in ANSI, with the count and ids', async () => {
    const t = (await ourTokenizer('cl100k_base')).withSpecialTokens(['<|im_start|>']);
    const ids = t.encode('<|im_start|>Hello world\n', { allowedSpecial: 'all' });
    const out = formatTokens(ids, t, { format: 'ansi' });
    expect(out.startsWith(`${ids.length} tokens\n`)).toBe(true);
    expect(out).toContain('\x1b[30;48;5;223m·world\x1b[0m');
    expect(out).toContain('\x1b[1;97;48;5;25m<|im_start|>\x1b[0m');
    expect(out).toContain(JSON.stringify(ids));
  });

  it('escapes HTML and gives each token its id', async () => {
    const t = await ourTokenizer('cl100k_base');
    const ids = t.encode('<b>&');
    const html = formatTokens(ids, t, { format: 'html' });
    expect(html).not.toContain('<b>');
    expect(html).toContain('&#60;');
    expect(html).toContain(`data-id="${ids[0]}"`);
    expect(html).toContain(`${ids.length} tokens`);
    expect(formatTokens(ids, t, { format: 'html', showIds: false })).not.toContain(
      'lmkit-token-ids',
    );
  });
});
