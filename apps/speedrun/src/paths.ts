// Where the speedrun finds the data that ships with the repository.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { END_OF_TEXT, IM_END, IM_SEP, IM_START } from '@lmkit/core';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const dataDir = join(repoRoot, 'data');
export const defaultOutDir = join(repoRoot, 'runs/speedrun');

/** Special tokens reserved at tokenizer training when a preset sets `reserveChatMarkers`. */
export const SPECIAL_TOKENS = [END_OF_TEXT, IM_START, IM_SEP, IM_END] as const;

/** The oasst1 sample that ships with the repository (SFT threads and preference pairs). */
export const oasstPath = () => join(dataDir, 'conversations/oasst1-en-100-trees.jsonl');
