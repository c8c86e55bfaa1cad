// `pnpm speedrun`: the whole recipe from crawled pages to a chat model, on data that ships with
// the repository, with a report card at the end. Finished stages are skipped on a rerun.
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LmkitError } from '@lmkit/core';
import { crawlStage, filterStage, shardsStage, tokenizerStage } from './data-stages.ts';
import { evalStage } from './eval-stage.ts';
import { defaultOutDir, repoRoot } from './paths.ts';
import { type SpeedrunPreset, type SpeedrunPresetName, speedrunPresets } from './presets.ts';
import { reportStage } from './report.ts';
import { recordedStats, runStages, SpeedrunError, type Stage } from './runner.ts';
import { CHAT_MODEL_DIR, pretrainStage, sftStage } from './train-stages.ts';

export { repoRoot } from './paths.ts';
export { type SpeedrunPreset, speedrunPresets } from './presets.ts';
export { type DoneMarker, readMarker, recordedStats, runStages } from './runner.ts';

export const stages: Stage<SpeedrunPreset, object>[] = [
  crawlStage,
  filterStage,
  tokenizerStage,
  shardsStage,
  pretrainStage,
  sftStage,
  evalStage,
  reportStage,
];

const usage = `pnpm speedrun [--preset NAME] [--out DIR] [--from STAGE]

Runs the whole lmkit recipe on data that ships with the repository:
  ${stages.map((s, i) => `${i + 1}. ${s.title}`).join('\n  ')}

  --preset NAME   ${Object.keys(speedrunPresets).join(' | ')} (default small: ≤ 15 minutes on 2 CPU cores;
                  tiny: a minute or two, for tests; gpt2: the 124M model, for a real machine)
  --out DIR       output folder (default runs/speedrun)
  --from STAGE    redo this stage and every later one from scratch (earlier ones are kept)
  --help          this text

Each stage writes into DIR/<stage>/ and a done.json marker with the hashes of what it read and
wrote; a rerun skips a finished stage while its parameters and inputs are unchanged, redoes it and
every later stage otherwise, and an interrupted training stage resumes from its last checkpoint.`;

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      preset: { type: 'string', default: 'small' },
      out: { type: 'string' },
      from: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const presetName = values.preset as SpeedrunPresetName;
  const preset = speedrunPresets[presetName];
  if (!preset) {
    throw new SpeedrunError(
      `--preset ${values.preset} is not a preset; use one of ${Object.keys(speedrunPresets).join(', ')}`,
    );
  }
  const outDir = values.out ? resolve(values.out) : defaultOutDir;
  const started = performance.now();
  const markers = await runStages({
    stages,
    outDir,
    preset,
    presetName,
    repoDir: repoRoot,
    from: values.from,
  });
  const pretrain = recordedStats(markers, pretrainStage);
  const minutes = ((performance.now() - started) / 60_000).toFixed(1);
  console.log(`
Speedrun finished in ${minutes} min (preset ${presetName}).
  report:     ${join(outDir, reportStage.name, 'report.html')} (and report.md beside it)
  tokenizer:  ${join(outDir, 'tokenizer', 'tokenizer.json')}
  base model: ${pretrain && join(outDir, pretrain.checkpoint)}
  chat model: ${join(outDir, CHAT_MODEL_DIR)}
Next: talk to it with \`pnpm chat${values.out ? ` --checkpoint ${join(outDir, CHAT_MODEL_DIR)}` : ''}\``);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      // lmkit errors (and file-system ones: ENOSPC, EACCES) are one sentence; the rest a stack.
      const code = (error as NodeJS.ErrnoException)?.code;
      const oneLine =
        LmkitError.isInstance(error) || (typeof code === 'string' && code.startsWith('E'));
      console.error(oneLine ? `speedrun: ${(error as Error).message}` : error);
      process.exit(1);
    },
  );
}
