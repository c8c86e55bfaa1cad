// Runs the speedrun's stages in order. Each stage writes into its own folder and, when it
// finishes, a done-marker with its stats; a rerun skips finished stages, `from` reruns from one.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StageProgress } from './progress.ts';

export interface StageContext<Preset> {
  /** The run's output folder. */
  outDir: string;
  /** This stage's own folder (created before `run`). */
  dir: string;
  preset: Preset;
  progress: StageProgress;
  /** Stats another (earlier) stage recorded in its done-marker. */
  statsOf(stage: string): Record<string, unknown>;
  /** The folder of another stage. */
  dirOf(stage: string): string;
  /** Markers of the stages finished so far in this run (earlier stages). */
  finished: readonly DoneMarker[];
  presetName: string;
}

export interface Stage<Preset> {
  name: string;
  title: string;
  /** Does the work; returns JSON-serialisable stats recorded in the done-marker. */
  run(context: StageContext<Preset>): Promise<Record<string, unknown>>;
  /** One-line summary of the stats for the console. */
  summarize?(stats: Record<string, unknown>): string;
}

export interface DoneMarker {
  stage: string;
  presetName: string;
  finishedAt: string;
  durationMs: number;
  stats: Record<string, unknown>;
}

export class SpeedrunError extends Error {
  override name = 'SpeedrunError';
}

const markerName = 'done.json';

export function readMarker(outDir: string, stage: string): DoneMarker | undefined {
  const path = join(outDir, stage, markerName);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as DoneMarker;
  } catch {
    return undefined; // a torn marker means the stage did not finish
  }
}

export async function runStages<Preset>(options: {
  stages: Stage<Preset>[];
  outDir: string;
  preset: Preset;
  presetName: string;
  /** Rerun from this stage on (its marker and later ones are removed). */
  from?: string;
  log?: (line: string) => void;
}): Promise<DoneMarker[]> {
  const { stages, outDir, preset, presetName } = options;
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
    let marker = readMarker(outDir, stage.name);
    const stale = marker !== undefined && marker.presetName !== presetName;
    if (index >= fromIndex || invalidated || stale) {
      if (marker) rmSync(join(dir, markerName), { force: true });
      marker = undefined;
    }
    if (marker) {
      log(`${label} ${stage.title}: already done (${marker.finishedAt}), skipped`);
      markers.push(marker);
      continue;
    }
    // Once one stage reruns, every later stage reruns on its new outputs.
    invalidated = true;
    mkdirSync(dir, { recursive: true });
    const progress = new StageProgress(label);
    progress.log(stage.title);
    const context: StageContext<Preset> = {
      outDir,
      dir,
      preset,
      progress,
      statsOf: (name) => {
        const found = markers.find((m) => m.stage === name);
        if (!found) throw new SpeedrunError(`stage ${stage.name} needs ${name}, which has not run`);
        return found.stats;
      },
      dirOf: (name) => join(outDir, name),
      finished: markers,
      presetName,
    };
    const startedMs = performance.now();
    const stats = await stage.run(context);
    const done: DoneMarker = {
      stage: stage.name,
      presetName,
      finishedAt: new Date().toISOString(),
      durationMs: Math.round(performance.now() - startedMs),
      stats,
    };
    writeFileSync(join(dir, `${markerName}.tmp`), JSON.stringify(done, null, 2));
    renameSync(join(dir, `${markerName}.tmp`), join(dir, markerName));
    progress.finish(stage.summarize?.(stats) ?? '');
    markers.push(done);
  }
  return markers;
}
