// Writing checkpoint folders: weights, optimizer moments, trainer state and tokenizer, written into
// a temporary folder, fsynced, then renamed into place; a manifest holds each file's sha256 and
// size so a corrupted or truncated checkpoint is detected before anything is loaded (reading and
// verifying live in @lmkit/gpt-model, below the trainer). Keeps the last K.
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statfsSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  checkpointManifest,
  checkpointName,
  listCheckpoints,
  type TrainerState,
} from '@lmkit/gpt-model';
import { CheckpointWriteError } from '../errors.ts';
import type { AdamW, AdamWMoments } from '../loop/adamw.ts';
import type { TrainableModel } from '../model.ts';
import { fsyncPath, writeFileSynced } from './durable-file.ts';
import {
  decodeFloat32Safetensors,
  encodeFloat32Safetensors,
  type Float32Entry,
} from './safetensors.ts';

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
  /** Writes one file durably; default fsynced writes. Tests pass one that fails (a full disk). */
  writeFile?: (path: string, bytes: Uint8Array | string) => void;
}

/** `.step-XXXXXXXX.tmp-<pid>`: a checkpoint being written (or left by a failed write). */
const temporaryPattern = /^\.step-\d{8}\.tmp-/;

/**
 * Removes temporary checkpoint folders a failed or killed write left under `root`; returns their
 * names. Call before a run starts writing into `root` (no other run may be writing there).
 */
export function removeTemporaryCheckpoints(root: string): string[] {
  if (!existsSync(root)) return [];
  const leftovers = readdirSync(root).filter((name) => temporaryPattern.test(name));
  for (const name of leftovers) rmSync(join(root, name), { recursive: true, force: true });
  return leftovers;
}

/** About how many bytes a checkpoint of this model takes: weights, two moments, small files. */
export function checkpointBytes(model: TrainableModel): number {
  let values = 0;
  for (const variable of model.parameters.values()) values += variable.size;
  return values * 4 * 3 + 64 * 1024;
}

const mib = (bytes: number) => `${Math.ceil(bytes / 2 ** 20)} MiB`;

/** Free bytes on the file system holding `path`, when the platform says. */
function freeBytes(path: string): number | undefined {
  try {
    const stats = statfsSync(path);
    return stats.bavail * stats.bsize;
  } catch {
    return undefined;
  }
}

/** Turns a full disk into one sentence: how much was needed, where, and what to free. */
function diskFullError(root: string, step: number, model: TrainableModel, cause: unknown) {
  const free = freeBytes(root);
  const keep = listCheckpoints(root).length;
  return new CheckpointWriteError(
    `disk full writing the step ${step} checkpoint into ${root}: it needs about ${mib(checkpointBytes(model))}${free === undefined ? '' : ` and ${mib(free)} are free`}; free space on that disk (${keep > 1 ? `delete older step-* folders there or lower keepLast, ` : ''}or move outDir elsewhere), then rerun with --resume (resume: true) to continue from the last checkpoint`,
    { cause },
  );
}

/**
 * Writes one checkpoint atomically and prunes old ones; returns its folder. A failed write
 * removes its temporary folder; a full disk (ENOSPC, EDQUOT) becomes a CheckpointWriteError.
 */
export async function writeCheckpoint(options: WriteCheckpointOptions): Promise<string> {
  const { root, step, model } = options;
  mkdirSync(root, { recursive: true });
  const final = join(root, checkpointName(step));
  const temporary = join(root, `.${checkpointName(step)}.tmp-${process.pid}`);
  rmSync(temporary, { recursive: true, force: true });
  try {
    mkdirSync(temporary);
    await writeCheckpointFiles(temporary, options);
    fsyncPath(temporary);
    if (existsSync(final)) rmSync(final, { recursive: true, force: true });
    renameSync(temporary, final);
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException)?.code;
    if (code === 'ENOSPC' || code === 'EDQUOT') throw diskFullError(root, step, model, error);
    throw error;
  }
  fsyncPath(root);
  pruneCheckpoints(root, options.keepLast ?? 3);
  return final;
}

async function writeCheckpointFiles(dir: string, options: WriteCheckpointOptions): Promise<void> {
  const { model, optimizer, state, step } = options;
  const writeFile = options.writeFile ?? writeFileSynced;
  await model.save(dir);
  const moments = new Map<string, Float32Entry>();
  for (const [name, { firstMoment, secondMoment }] of await optimizer.moments()) {
    const shape = [...model.parameters.get(name)!.shape];
    moments.set(`${name}.exp_avg`, { shape, data: firstMoment });
    moments.set(`${name}.exp_avg_sq`, { shape, data: secondMoment });
  }
  writeFile(
    join(dir, 'optimizer.safetensors'),
    encodeFloat32Safetensors(moments, { step: String(optimizer.stepCount) }),
  );
  writeFile(join(dir, 'trainer-state.json'), `${JSON.stringify(state, null, 2)}\n`);
  if (options.tokenizerJson !== undefined) {
    writeFile(join(dir, 'tokenizer.json'), JSON.stringify(options.tokenizerJson));
  }
  for (const name of readdirSync(dir)) fsyncPath(join(dir, name));
  const manifest = checkpointManifest(dir, step);
  writeFile(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

function pruneCheckpoints(root: string, keepLast: number): void {
  const all = listCheckpoints(root);
  for (const old of all.slice(0, Math.max(0, all.length - keepLast))) {
    rmSync(old.dir, { recursive: true, force: true });
  }
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
