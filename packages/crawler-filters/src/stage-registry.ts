// Names the CLI's `--stages` can use, each a factory from that stage's options to a Stage, in
// FineWeb's order. Part 2 (dedup, PII) adds its own entries by spreading this object.

import { CrawlerFiltersError } from './errors.ts';
import { extractStage } from './extract/extract-stage.ts';
import { c4QualityStage } from './filters/c4-quality.ts';
import { fineWebQualityStage } from './filters/fineweb-quality.ts';
import { gopherQualityStage } from './filters/gopher-quality.ts';
import { gopherRepetitionStage } from './filters/gopher-repetition.ts';
import { languageStage } from './filters/language.ts';
import { loadUrlLists, urlFilterStage } from './filters/url-filter.ts';
import type { Stage } from './stage.ts';

/** Builds one stage from its options object (JSON-friendly, e.g. from a config file). */
export type StageFactory = (options: Record<string, unknown>) => Stage | Promise<Stage>;

/** FineWeb's per-document stages, in the recipe's order. */
export const fineWebStageRegistry: Readonly<Record<string, StageFactory>> = Object.freeze({
  url: async (options) => {
    const lists = await loadUrlLists({
      dir: options.listsDir as string | undefined,
      ut1Root: options.ut1Root as string | undefined,
    });
    return urlFilterStage({
      lists,
      softWordThreshold: options.softWordThreshold as number | undefined,
    });
  },
  extract: (options) => extractStage(options),
  language: (options) => languageStage(options),
  gopher_repetition: (options) => gopherRepetitionStage(options),
  gopher_quality: (options) => gopherQualityStage(options),
  c4_quality: (options) => c4QualityStage(options),
  fineweb_quality: (options) => fineWebQualityStage(options),
});

export interface CreateStagesOptions {
  /** Stage names in order. Default: every registry entry, in its order. */
  names?: readonly string[];
  /** Options per stage name. */
  options?: Readonly<Record<string, Record<string, unknown>>>;
  /** Default `fineWebStageRegistry`. */
  registry?: Readonly<Record<string, StageFactory>>;
}

/** Builds the named stages; an unknown name throws, listing the known ones. */
export async function createStages(options: CreateStagesOptions = {}): Promise<Stage[]> {
  const registry = options.registry ?? fineWebStageRegistry;
  const names = options.names ?? Object.keys(registry);
  const stages: Stage[] = [];
  for (const name of names) {
    const factory = registry[name];
    if (!factory) {
      throw new CrawlerFiltersError(
        'unknown-stage',
        `unknown stage "${name}"; known stages: ${Object.keys(registry).join(', ')}`,
      );
    }
    stages.push(await factory(options.options?.[name] ?? {}));
  }
  return stages;
}
