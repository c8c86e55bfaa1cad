// `lmkit-tokenizer train`: files (or stdin) → a JSON tokenizer file, with a progress bar on stderr.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { chatSpecialTokens, saveTokenizer, trainBpe } from '@lmkit/bpe';
import { parseKebabFlags, UsageError } from '@lmkit/cli-kit';
import { trainFlags } from './args.ts';
import type { CommandIo } from './io.ts';
import { trainProgressBar } from './progress-bar.ts';

export const trainUsage = `usage: lmkit-tokenizer train [FILE...] [options]

Trains a byte-level BPE tokenizer on the files (each one a document), or on stdin.

options:
  -v, --vocab-size N     final vocabulary size, special tokens included (default: 4096)
  -p, --pattern NAME     split pattern: r50k_base, cl100k_base, o200k_base or a RegExp source
                         (default: cl100k_base)
  -s, --special LIST     comma-separated special tokens, given the last ids
                         (default: <|endoftext|>,<|im_start|>,<|im_sep|>,<|im_end|>; "" for none)
  -o, --out PATH         tokenizer file to write (default: tokenizer.json)
      --name NAME        name stored in the file (default: the output file name)
      --json             print a JSON summary on stdout
  -h, --help             this help`;

export async function trainCommand(options: { argv: string[]; io: CommandIo }): Promise<number> {
  const { io } = options;
  const { values, positionals } = parseKebabFlags(trainFlags, options.argv, { positionals: true });
  if (values.help) {
    io.stdout(`${trainUsage}\n`);
    return 0;
  }
  const vocabSize = values['vocab-size'];
  const specialTokens =
    values.special === undefined
      ? [...chatSpecialTokens]
      : values.special.split(',').filter((s) => s.length > 0);
  if (vocabSize < 256 + specialTokens.length) {
    throw new UsageError(
      `--vocab-size ${vocabSize}: must be at least ${256 + specialTokens.length} (256 byte tokens + ${specialTokens.length} special tokens)`,
    );
  }
  let texts: string[];
  let bytes = 0;
  if (positionals.length > 0) {
    texts = await Promise.all(positionals.map((f) => readFile(resolve(io.cwd, f), 'utf8')));
  } else {
    const stdin = await io.readStdin();
    if (stdin === undefined) {
      io.stderr(`no input: pass files to train on, or pipe text on stdin\n\n${trainUsage}\n`);
      return 2;
    }
    texts = [stdin];
  }
  for (const t of texts) bytes += Buffer.byteLength(t);
  const out = resolve(io.cwd, values.out);
  const started = performance.now();
  const tokenizer = await trainBpe({
    texts,
    vocabSize,
    pattern: values.pattern,
    specialTokens,
    name: values.name ?? out.replace(/^.*[\\/]/, '').replace(/\.json$/, ''),
    onProgress: trainProgressBar(io),
  });
  const seconds = (performance.now() - started) / 1000;
  await saveTokenizer(tokenizer, out);
  const summary = {
    out,
    vocabSize: tokenizer.vocabSize,
    learnedTokens: tokenizer.ranks.size - 256,
    specialTokens: Object.fromEntries(tokenizer.specialTokens),
    inputMegabytes: Number((bytes / 1e6).toFixed(3)),
    seconds: Number(seconds.toFixed(3)),
  };
  if (values.json) io.stdout(`${JSON.stringify(summary)}\n`);
  else {
    io.stdout(
      `wrote ${out}: ${summary.vocabSize} tokens (${summary.learnedTokens} learned, ${specialTokens.length} special) from ${summary.inputMegabytes} MB in ${summary.seconds} s\n`,
    );
  }
  return 0;
}
