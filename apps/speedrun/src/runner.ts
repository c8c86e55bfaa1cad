// Runs the speedrun's stages in order. Each stage writes into its own folder and, when it
// finishes, a done-marker that records its stats, its parameters and the content hashes of the
// files it read and wrote (paths relative to the run folder, so a copied or moved folder works
// on its own contents). A rerun keeps a finished stage only while its parameters, its inputs and
// its outputs are what the marker recorded; a stage that is redone starts from an empty folder
// (unless an interrupted run of the very same inputs left checkpoints to resume), and every
// stage after it is redone too. `from` redoes one stage and everything after it from scratch.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LmkitError } from '@lmkit/core';
import {
  type FileFingerprint,
  type FingerprintRoots,
  fingerprintDifference,
  fingerprintFiles,
  fingerprintKey,
  fingerprintPath,
} from './fingerprint.ts';
import { StageProgress } from './progress.ts';

export interface StageContext<Preset> {
  /** The run's output folder. */
  outDir: string;
  /** This stage's own folder (created before `run`). */
  dir: string;
  preset: Preset;
  progress: StageProgress;
  /** Stats an earlier stage recorded in its done-marker (paths in them are run-relative). */
  statsOf<Stats extends object>(stage: Stage<Preset, Stats>): Stats;
  /** The absolute path of a path relative to the run folder (as stats record them). */
  path(relativePath: string): string;
  /** The run-relative form of an absolute path inside the run folder, for stats. */
  relative(path: string): string;
  /** The folder of another stage. */
  dirOf(stage: string): string;
  /** Markers of the stages finished so far in this run (earlier stages). */
  finished: readonly DoneMarker[];
  presetName: string;
}

export interface Stage<Preset, Stats extends object = Record<string, unknown>> {
  name: string;
  title: string;
  /** The part of the preset this stage's outputs depend on; default the whole preset. */
  params?(preset: Preset): unknown;
  /** Absolute paths of the files and folders it reads (earlier stages' outputs, shipped data). */
  inputs?(context: StageContext<Preset>): string[];
  /** Run-relative paths of what later stages read from it; default its whole folder. */
  outputs?(stats: Stats): string[];
  /** Run-relative folders outside its own that it writes; removed when the stage is redone. */
  writes?: readonly string[];
  /** Does the work; returns JSON-serialisable stats recorded in the done-marker. */
  run(context: StageContext<Preset>): Promise<Stats>;
  /** One-line summary of the stats for the console. */
  summarize?(stats: Stats): string;
}

export interface DoneMarker {
  stage: string;
  presetName: string;
  finishedAt: string;
  durationMs: number;
  /** What `Stage.params` returned. */
  params?: unknown;
  /** Every file the stage read, with its hash. */
  inputs?: FileFingerprint[];
  /** Every file later stages read from it, with its hash. */
  outputs?: FileFingerprint[];
  stats: Record<string, unknown>;
}

/** Written when a stage starts: an interrupted stage resumes only if this still matches. */
interface StartMarker {
  params: unknown;
  inputs: FileFingerprint[];
}

/** A speedrun problem stated in one sentence (a CLI prints its message, not a stack). */
export class SpeedrunError extends LmkitError {}

const markerName = 'done.json';
const startName = 'started.json';

function readJson<T>(path: string): T | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined; // a torn marker means the stage did not finish
  }
}

function writeJsonAtomic(path: string, value: unknown): void {
  writeFileSync(`${path}.tmp`, JSON.stringify(value, null, 2));
  renameSync(`${path}.tmp`, path);
}

/** The stats a stage recorded in one of `markers`, typed by the stage; undefined if it has none. */
export function recordedStats<Preset, Stats extends object>(
  markers: readonly DoneMarker[],
  stage: Stage<Preset, Stats>,
): Stats | undefined {
  // The one cast: markers are JSON that this stage's own `run` returned.
  return markers.find((m) => m.stage === stage.name)?.stats as Stats | undefined;
}

export function readMarker(outDir: string, stage: string): DoneMarker | undefined {
  return readJson<DoneMarker>(join(outDir, stage, markerName));
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Why a finished stage has to be redone, or undefined when its marker still holds. */
function staleReason(
  marker: DoneMarker,
  params: unknown,
  inputs: FileFingerprint[],
  roots: FingerprintRoots,
): string | undefined {
  if (!sameJson(marker.params, params)) return 'its parameters changed';
  const inputChange = fingerprintDifference(marker.inputs ?? [], inputs);
  if (inputChange) return `its input ${inputChange}`;
  const recorded = marker.outputs ?? [];
  const outputs = fingerprintFiles(
    roots,
    recorded.map((f) => fingerprintPath(roots, f.path)),
    recorded,
  );
  const missing = outputs.find((f) => f.sha256 === 'missing');
  return missing ? `its output ${missing.path} is missing` : undefined;
}

export async function runStages<Preset>(options: {
  stages: Stage<Preset, object>[];
  outDir: string;
  preset: Preset;
  presetName: string;
  /** Files outside the run folder under this root are recorded relative to it. */
  repoDir: string;
  /** Redo this stage and every later one from scratch. */
  from?: string;
  log?: (line: string) => void;
}): Promise<DoneMarker[]> {
  const { stages, outDir, preset, presetName } = options;
  const roots: FingerprintRoots = { runDir: outDir, repoDir: options.repoDir };
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const names = stages.map((s) => s.name);
  let fromIndex = stages.length;
  if (options.from !== undefined) {
    fromIndex = names.indexOf(options.from);
    if (fromIndex < 0) {
      throw new SpeedrunError(
        `--from ${options.from} is not a stage; stages are: ${names.join(', ')}`,
      );
    }
  }
  mkdirSync(outDir, { recursive: true });
  const markers: DoneMarker[] = [];
  let invalidated = false;
  for (const [index, stage] of stages.entries()) {
    const label = `[${index + 1}/${stages.length} ${stage.name}]`;
    const dir = join(outDir, stage.name);
    const context: StageContext<Preset> = {
      outDir,
      dir,
      preset,
      progress: new StageProgress(label),
      statsOf: <Stats extends object>(earlier: Stage<Preset, Stats>) => {
        const found = recordedStats(markers, earlier);
        if (!found) {
          throw new SpeedrunError(`stage ${stage.name} needs ${earlier.name}, which has not run`);
        }
        return found;
      },
      path: (relativePath) => join(outDir, relativePath),
      relative: (path) => fingerprintKey({ runDir: outDir, repoDir: outDir }, path),
      dirOf: (name) => join(outDir, name),
      finished: markers,
      presetName,
    };
    const params = stage.params ? stage.params(preset) : preset;
    const marker = readMarker(outDir, stage.name);
    const known = [...(marker?.inputs ?? []), ...markers.flatMap((m) => m.outputs ?? [])];
    const inputs = fingerprintFiles(roots, stage.inputs?.(context) ?? [], known);
    let reason: string | undefined;
    if (index >= fromIndex) reason = `--from ${options.from}`;
    else if (invalidated) reason = 'an earlier stage was redone';
    else if (!marker) reason = undefined;
    else reason = staleReason(marker, params, inputs, roots);
    if (marker && reason === undefined) {
      log(`${label} ${stage.title}: already done (${marker.finishedAt}), skipped`);
      markers.push(marker);
      continue;
    }
    // Once one stage is redone, every later stage is redone on its new outputs.
    invalidated = true;
    const started = readJson<StartMarker>(join(dir, startName));
    const resumable =
      !marker &&
      index < fromIndex &&
      started !== undefined &&
      sameJson(started.params, params) &&
      fingerprintDifference(started.inputs, inputs) === undefined;
    if (!resumable) {
      rmSync(dir, { recursive: true, force: true });
      for (const folder of stage.writes ?? []) {
        rmSync(join(outDir, folder), { recursive: true, force: true });
      }
    }
    if (reason) log(`${label} redone: ${reason}`);
    mkdirSync(dir, { recursive: true });
    writeJsonAtomic(join(dir, startName), { params, inputs } satisfies StartMarker);
    context.progress.log(stage.title);
    const startedMs = performance.now();
    const stats = await stage.run(context);
    const outputPaths = (stage.outputs?.(stats) ?? [stage.name]).map((p) => join(outDir, p));
    const outputs = fingerprintFiles(roots, outputPaths).filter(
      (f) => !f.path.endsWith(`/${markerName}`) && !f.path.endsWith(`/${startName}`),
    );
    const done: DoneMarker = {
      stage: stage.name,
      presetName,
      finishedAt: new Date().toISOString(),
      durationMs: Math.round(performance.now() - startedMs),
      params,
      inputs,
      outputs,
      stats: stats as Record<string, unknown>,
    };
    writeJsonAtomic(join(dir, markerName), done);
    context.progress.finish(stage.summarize?.(stats) ?? '');
    markers.push(done);
  }
  return markers;
}
