// `lmkit-tokenizer encode | decode | show`: text → ids, ids → text, and the coloured token view.

import { formatTokens, type Tokenizer } from '@lmkit/bpe';
import { parseKebabFlags } from '@lmkit/cli-kit';
import { tokensFlags } from './args.ts';
import { type CommandIo, readInput } from './io.ts';
import { loadFromOptions, tokenizerHelp } from './load.ts';

const common = `${tokenizerHelp}
  -f, --file PATH        read the input from a file (repeatable) instead of arguments or stdin
      --json             JSON on stdout
  -h, --help             this help`;

export const encodeUsage = `usage: lmkit-tokenizer encode [TEXT...] [options]

Encodes text (arguments, --file or stdin) and prints the ids.

options:
${common}
      --allow-special L  special tokens the text may spell: "all" or a comma-separated list
                         (default: none; a special token in the text is then an error)
      --ordinary         treat special-token spellings as plain text`;

export const decodeUsage = `usage: lmkit-tokenizer decode [ID...] [options]

Decodes ids (arguments, --file or stdin; separated by spaces or commas, or a JSON array).

options:
${common}`;

export const showUsage = `usage: lmkit-tokenizer show [TEXT...] [options]

Shows how text splits into tokens: each token on its own background colour, white space made
visible, then the count and the ids. Without input it shows a sample chat turn.

options:
${common}
      --html             an HTML fragment instead of terminal colours`;

const showSample =
  "<|im_start|>user<|im_sep|>To be, or not to be: that is the question.\n  Whether 'tis nobler in the mind to suffer<|im_end|>\n";

type Mode = 'encode' | 'decode' | 'show';

function parse(argv: string[], mode: Mode) {
  return parseKebabFlags(tokensFlags(mode), argv, { positionals: true });
}

function encodeText(
  tokenizer: Tokenizer,
  text: string,
  allow: string | undefined,
  ordinary: boolean,
) {
  if (ordinary) return tokenizer.encodeOrdinary(text);
  const allowedSpecial =
    allow === undefined ? undefined : allow === 'all' ? 'all' : allow.split(',').filter(Boolean);
  return tokenizer.encode(text, { allowedSpecial });
}

/** Parses ids separated by white space or commas, or a JSON array. */
export function parseIds(text: string): number[] {
  const trimmed = text.trim();
  const parts = trimmed.startsWith('[')
    ? (JSON.parse(trimmed) as unknown[]).map(String)
    : trimmed.split(/[\s,]+/).filter(Boolean);
  return parts.map((part) => {
    if (!/^\d+$/.test(part)) throw new Error(`"${part}" is not a token id; ids are integers >= 0`);
    return Number(part);
  });
}

export async function tokensCommand(options: {
  mode: Mode;
  argv: string[];
  io: CommandIo;
}): Promise<number> {
  const { io, mode } = options;
  const { values, positionals } = parse(options.argv, mode);
  const v = values as Record<string, string | boolean | string[] | undefined>;
  if (v.help) {
    io.stdout(`${mode === 'encode' ? encodeUsage : mode === 'decode' ? decodeUsage : showUsage}\n`);
    return 0;
  }
  const tokenizer = await loadFromOptions(io.cwd, v as { tokenizer?: string });
  let input = await readInput(io, positionals, v.file as string[] | undefined);
  if (input === undefined || (mode === 'show' && input === '')) {
    if (mode !== 'show') {
      io.stderr(
        `no input: pass ${mode === 'encode' ? 'text' : 'ids'} as arguments, --file, or stdin\n`,
      );
      return 2;
    }
    input = showSample;
  }
  if (mode === 'decode') {
    const text = tokenizer.decode(parseIds(input));
    io.stdout(v.json ? `${JSON.stringify({ text })}\n` : text);
    return 0;
  }
  const ids =
    mode === 'show'
      ? tokenizer.encode(input, { allowedSpecial: 'all' })
      : encodeText(tokenizer, input, v['allow-special'] as string | undefined, Boolean(v.ordinary));
  if (v.json) {
    const tokens =
      mode === 'show' ? ids.map((id) => ({ id, text: tokenizer.decode([id]) })) : undefined;
    io.stdout(`${JSON.stringify({ count: ids.length, ids, ...(tokens ? { tokens } : {}) })}\n`);
  } else if (mode === 'show') {
    io.stdout(formatTokens(ids, tokenizer, { format: v.html ? 'html' : 'ansi' }));
  } else {
    io.stdout(`${ids.join(' ')}\n`);
  }
  return 0;
}
