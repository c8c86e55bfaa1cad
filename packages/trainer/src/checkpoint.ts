// Checkpoint folders: weights, optimizer moments, trainer state and tokenizer, written into a
// temporary folder, fsynced, then renamed into place; a manifest holds each file's sha256 and size
// so a corrupted or truncated checkpoint is detected before anything is loaded. Keeps the last K.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import type { AdamW, AdamWMoments } from './adamw.ts';
import { fsyncPath, writeFileSynced } from './durable-file.ts';
import { CheckpointCorruptError } from './errors.ts';
import type { TrainableModel } from './model.ts';
import {
  decodeFloat32Safetensors,
  encodeFloat32Safetensors,
  type Float32Entry,
} from './safetensors.ts';

export const CHECKPOINT_FORMAT_VERSION = 1;

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

export interface WriteCheckpointOptions {
  /** Folder holding `step-XXXXXXXX` checkpoint folders. */
  root: string;
  step: number;
  model: TrainableModel;
  optimizer: AdamW;
  state: TrainerState;
  /** Tokenizer JSON (our bpe file) copied in as tokenizer.json when given. */
  tokenizerJson?: unknown;
  /** Checkpoints to keep, newest first; older ones are removed. Default 3. */
  keepLast?: number;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Folder name of the checkpoint after `step` steps. */
export function checkpointName(step: number): string {
  return `step-${String(step).padStart(8, '0')}`;
}

/** Writes one checkpoint atomically and prunes old ones; returns its folder. */
export async function writeCheckpoint(options: WriteCheckpointOptions): Promise<string> {
  const { root, step, model, optimizer, state } = options;
  mkdirSync(root, { recursive: true });
  const final = join(root, checkpointName(step));
  const temporary = join(root, `.${checkpointName(step)}.tmp-${process.pid}`);
  rmSync(temporary, { recursive: true, force: true });
  mkdirSync(temporary);
  await model.save(temporary);
  const moments = new Map<string, Float32Entry>();
  for (const [name, { firstMoment, secondMoment }] of await optimizer.moments()) {
    const shape = [...model.parameters.get(name)!.shape];
    moments.set(`${name}.exp_avg`, { shape, data: firstMoment });
    moments.set(`${name}.exp_avg_sq`, { shape, data: secondMoment });
  }
  writeFileSynced(
    join(temporary, 'optimizer.safetensors'),
    encodeFloat32Safetensors(moments, { step: String(optimizer.stepCount) }),
  );
  writeFileSynced(join(temporary, 'trainer-state.json'), `${JSON.stringify(state, null, 2)}\n`);
  if (options.tokenizerJson !== undefined) {
    writeFileSynced(join(temporary, 'tokenizer.json'), JSON.stringify(options.tokenizerJson));
  }
  const files: CheckpointManifest['files'] = {};
  for (const name of readdirSync(temporary).sort()) {
    const bytes = readFileSync(join(temporary, name));
    fsyncPath(join(temporary, name));
    files[name] = { sha256: sha256(bytes), bytes: bytes.length };
  }
  const manifest: CheckpointManifest = {
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    step,
    createdAt: new Date().toISOString(),
    files,
  };
  writeFileSynced(join(temporary, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  fsyncPath(temporary);
  if (existsSync(final)) rmSync(final, { recursive: true, force: true });
  renameSync(temporary, final);
  fsyncPath(root);
  pruneCheckpoints(root, options.keepLast ?? 3);
  return final;
}

/** Checkpoint folders under `root`, oldest first. */
export function listCheckpoints(root: string): { step: number; dir: string }[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .map((name) => ({ name, match: /^step-(\d{8})$/.exec(name) }))
    .filter((entry) => entry.match && statSync(join(root, entry.name)).isDirectory())
    .map((entry) => ({ step: Number(entry.match![1]), dir: join(root, entry.name) }))
    .sort((a, b) => a.step - b.step);
}

function pruneCheckpoints(root: string, keepLast: number): void {
  const all = listCheckpoints(root);
  for (const old of all.slice(0, Math.max(0, all.length - keepLast))) {
    rmSync(old.dir, { recursive: true, force: true });
  }
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
    const actual = sha256(bytes);
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

/** Optimizer moments and step count of a checkpoint. */
export function readOptimizerState(dir: string): {
  stepCount: number;
  moments: Map<string, AdamWMoments>;
} {
  const path = join(dir, 'optimizer.safetensors');
  const { tensors, metadata } = decodeFloat32Safetensors(readFileSync(path), path);
  const moments = new Map<string, AdamWMoments>();
  for (const [key, entry] of tensors) {
    const name = key.replace(/\.exp_avg(_sq)?$/, '');
    const slot = moments.get(name) ?? {
      firstMoment: new Float32Array(0),
      secondMoment: new Float32Array(0),
    };
    if (key.endsWith('.exp_avg_sq')) slot.secondMoment = entry.data;
    else slot.firstMoment = entry.data;
    moments.set(name, slot);
  }
  return { stepCount: Number(metadata.step), moments };
}

/** Weights of a checkpoint's model.safetensors, by name (a `transformer.` prefix is dropped). */
export function readModelWeights(dir: string): Map<string, Float32Entry> {
  const path = join(dir, 'model.safetensors');
  const { tensors } = decodeFloat32Safetensors(readFileSync(path), path);
  return new Map([...tensors].map(([name, entry]) => [name.replace(/^transformer\./, ''), entry]));
}
