// Reading checkpoint folders (ARCHITECTURE.md "Checkpoint folder"): config.json, model.safetensors,
// tokenizer.json, trainer-state.json, optimizer.safetensors and manifest.json with each file's
// sha256 and size. Lives below the trainer so serving and evaluation read checkpoints without
// depending on it; the trainer writes them (and re-exports what is here).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadGPT2 } from './checkpoint.ts';
import { GPTModelError } from './errors.ts';
import type { GPT } from './model.ts';

export const CHECKPOINT_FORMAT_VERSION = 1;

/** A checkpoint folder whose manifest, checksums or sizes do not match its files. */
export class CheckpointCorruptError extends GPTModelError {}

export interface CheckpointManifest {
  formatVersion: number;
  step: number;
  createdAt: string;
  files: Record<string, { sha256: string; bytes: number }>;
}

/** What trainer-state.json holds (everything except weights and moments). */
export interface TrainerState {
  /** Optimizer steps completed; training resumes at this 0-based step. */
  step: number;
  tokensSeen: number;
  /** Wall-clock training time so far, excluding evaluation, in milliseconds. */
  trainingTimeMs: number;
  /** Wall-clock time of the run so far, evaluation and checkpoints included, in milliseconds. */
  wallTimeMs?: number;
  /** Data cursor (BatchLoader cursor for pre-training, epoch/index for SFT). */
  dataCursor: unknown;
  /** Random generator state (dropout seeds, sampling). */
  random: unknown;
  /** The resolved training config, for reference and for resuming with the same settings. */
  config: unknown;
  /** 'pretrain' or 'sft'. */
  kind: string;
}

/** Hex sha256 of a file's bytes, as the manifest records it. */
export const fileSha256 = (bytes: Uint8Array): string =>
  createHash('sha256').update(bytes).digest('hex');

/**
 * The manifest of the files now in `dir` (each one's sha256 and size, names sorted), as
 * `verifyCheckpoint` checks it; write it as `manifest.json` once every other file is complete.
 */
export function checkpointManifest(dir: string, step: number): CheckpointManifest {
  const files: CheckpointManifest['files'] = {};
  for (const name of readdirSync(dir).sort()) {
    if (name === 'manifest.json') continue;
    const bytes = readFileSync(join(dir, name));
    files[name] = { sha256: fileSha256(bytes), bytes: bytes.length };
  }
  return {
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    step,
    createdAt: new Date().toISOString(),
    files,
  };
}

/** Folder name of the checkpoint after `step` steps: `checkpointName(250)` → 'step-00000250'. */
export function checkpointName(step: number): string {
  return `step-${String(step).padStart(8, '0')}`;
}

/** Checkpoint folders under `root`, oldest first (temporary `.step-N.tmp-*` folders excluded). */
export function listCheckpoints(root: string): { step: number; dir: string }[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .map((name) => ({ name, match: /^step-(\d{8})$/.exec(name) }))
    .filter((entry) => entry.match && statSync(join(root, entry.name)).isDirectory())
    .map((entry) => ({ step: Number(entry.match![1]), dir: join(root, entry.name) }))
    .sort((a, b) => a.step - b.step);
}

/** Checks every file against the manifest; throws CheckpointCorruptError naming what differs. */
export function verifyCheckpoint(dir: string): CheckpointManifest {
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) {
    throw new CheckpointCorruptError(
      `${dir} has no manifest.json, so it is not a complete checkpoint; resume from an older checkpoint folder`,
    );
  }
  let manifest: CheckpointManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch {
    throw new CheckpointCorruptError(
      `${manifestPath} is not valid JSON; the checkpoint is damaged`,
    );
  }
  if (manifest.formatVersion !== CHECKPOINT_FORMAT_VERSION) {
    throw new CheckpointCorruptError(
      `${dir}: checkpoint format ${manifest.formatVersion}, this trainer reads ${CHECKPOINT_FORMAT_VERSION}`,
    );
  }
  for (const [name, expected] of Object.entries(manifest.files)) {
    const path = join(dir, name);
    if (!existsSync(path)) {
      throw new CheckpointCorruptError(`${path} is missing; the checkpoint is incomplete`);
    }
    const bytes = readFileSync(path);
    if (bytes.length !== expected.bytes) {
      throw new CheckpointCorruptError(
        `${path} has ${bytes.length} bytes, the manifest says ${expected.bytes} (truncated or overwritten); resume from an older checkpoint`,
      );
    }
    const actual = fileSha256(bytes);
    if (actual !== expected.sha256) {
      throw new CheckpointCorruptError(
        `${path} sha256 ${actual.slice(0, 12)}… differs from the manifest's ${expected.sha256.slice(0, 12)}… (corrupted); resume from an older checkpoint`,
      );
    }
  }
  return manifest;
}

/** trainer-state.json of a verified checkpoint. */
export function readTrainerState(dir: string): TrainerState {
  return JSON.parse(readFileSync(join(dir, 'trainer-state.json'), 'utf8'));
}

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
