// Where the speedrun finds the data that ships with the repository.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const dataDir = join(repoRoot, 'data');
export const defaultOutDir = join(repoRoot, 'runs/speedrun');

/** The special tokens reserved at tokenizer training: document separator and chat markers. */
export const SPECIAL_TOKENS = [
  '<|endoftext|>',
  '<|im_start|>',
  '<|im_sep|>',
  '<|im_end|>',
] as const;
