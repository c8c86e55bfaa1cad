// Loads the tokenizer a command works with: our JSON tokenizer file (default ./tokenizer.json) or
// a tiktoken rank file with a built-in pattern (`--tiktoken cl100k_base.tiktoken`).
import { resolve } from 'node:path';
import { loadTiktokenFile, loadTokenizer, type Tokenizer } from '@lmkit/bpe';

export const tokenizerOptions = {
  tokenizer: { type: 'string', short: 't' },
  tiktoken: { type: 'string' },
  pattern: { type: 'string' },
} as const;

export const tokenizerHelp = `  -t, --tokenizer PATH   JSON tokenizer file (default: tokenizer.json)
      --tiktoken PATH    a tiktoken rank file instead, e.g. cl100k_base.tiktoken
      --pattern NAME     split pattern for --tiktoken (default: the file name, e.g. cl100k_base)`;

export async function loadFromOptions(
  cwd: string,
  values: { tokenizer?: string; tiktoken?: string; pattern?: string },
): Promise<Tokenizer> {
  if (values.tiktoken) {
    const path = resolve(cwd, values.tiktoken);
    const pattern = values.pattern ?? path.replace(/^.*[\\/]/, '').replace(/\.tiktoken$/, '');
    return loadTiktokenFile(path, { pattern });
  }
  return loadTokenizer(resolve(cwd, values.tokenizer ?? 'tokenizer.json'));
}
