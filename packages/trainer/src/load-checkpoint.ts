// Loading a checkpoint folder for apps: checks every file against the manifest first, then loads
// the model with @lmkit/gpt-model's loadGPT2 and reads the tokenizer and trainer state.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type GPT, loadGPT2 } from '@lmkit/gpt-model';
import { type CheckpointManifest, type TrainerState, verifyCheckpoint } from './checkpoint.ts';

export interface LoadedCheckpoint {
  model: GPT;
  /** tokenizer.json parsed (bpe's tokenizer file), when the checkpoint has one. */
  tokenizerJson: unknown;
  /** trainer-state.json: step, tokens seen, data cursor, RNG, training config. */
  state: TrainerState | undefined;
  manifest: CheckpointManifest;
}

/** Verifies and loads a checkpoint folder; a damaged one throws CheckpointCorruptError. */
export async function loadCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const manifest = verifyCheckpoint(dir);
  const read = (name: string) =>
    existsSync(join(dir, name)) ? JSON.parse(readFileSync(join(dir, name), 'utf8')) : undefined;
  return {
    model: await loadGPT2(dir),
    tokenizerJson: read('tokenizer.json'),
    state: read('trainer-state.json'),
    manifest,
  };
}
