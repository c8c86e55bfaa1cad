// Shared test helpers: temp folders, the reference fixture path, small configs.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GPTConfig } from '../index.ts';

export const referenceDir = fileURLToPath(
  new URL('../../../../data/models/gpt2-tiny-random/', import.meta.url),
);

export const tempDir = () => mkdtemp(join(tmpdir(), 'gpt-model-'));

export const micro: GPTConfig = {
  vocabSize: 50,
  blockSize: 16,
  nLayer: 2,
  nHead: 2,
  nEmbd: 16,
  dropout: 0,
  bias: true,
};

/** Deterministic pseudo-random ids in [0, vocab). */
export function ids(batch: number, steps: number, vocab: number, salt = 0): number[][] {
  return Array.from({ length: batch }, (_, b) =>
    Array.from({ length: steps }, (_, t) => (b * 7919 + t * 104729 + salt * 31) % vocab),
  );
}
