// `pnpm speedrun`: the whole recipe from crawled pages to a chat model, on data that ships with
// the repository, with a report card at the end. Finished stages are skipped on a rerun.
import { join, resolve } from 'node:path';
import { cliExitCode, isMainModule, programVersion } from '@lmkit/cli-kit';
import { parseSpeedrunArgs, speedrunHelp } from './args.ts';
import { crawlStage, filterStage, shardsStage, tokenizerStage } from './data-stages.ts';
import { evalStage } from './eval-stage.ts';
import { defaultOutDir, repoRoot } from './paths.ts';
import { ALIGNED_MODEL_DIR, preferenceStage } from './preference-stage.ts';
import { type SpeedrunPreset, speedrunPresets, withRunFlags } from './presets.ts';
import { reportStage } from './report.ts';
import { recordedStats, runStages, type Stage } from './runner.ts';
import { CHAT_MODEL_DIR, pretrainStage, sftStage } from './train-stages.ts';

export { repoRoot } from './paths.ts';
export { checkPreset, type SpeedrunPreset, speedrunPresets } from './presets.ts';
export { type DoneMarker, readMarker, recordedStats, runStages } from './runner.ts';

export const stages: Stage<SpeedrunPreset, object>[] = [
  crawlStage,
  filterStage,
  tokenizerStage,
  shardsStage,
  pretrainStage,
  sftStage,
  preferenceStage,
  evalStage,
  reportStage,
];

export async function main(argv: string[]): Promise<number> {
  const values = parseSpeedrunArgs(
    argv,
    stages.map((stage) => stage.name),
  );
  if (values.help) {
    console.log(speedrunHelp(stages));
    return 0;
  }
  if (values.version) {
    console.log(programVersion('speedrun', import.meta.url));
    return 0;
  }
  const presetName = values.preset;
  const preset = withRunFlags(speedrunPresets[presetName], values);
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
  chat model: ${join(outDir, CHAT_MODEL_DIR)} (SFT)
  aligned:    ${join(outDir, ALIGNED_MODEL_DIR)} (reward model + DPO)
Next: talk to it with \`pnpm chat${values.out ? ` --checkpoint ${join(outDir, CHAT_MODEL_DIR)}` : ''}\` (or \`--checkpoint ${join(outDir, ALIGNED_MODEL_DIR)}\`)`);
  return 0;
}

if (isMainModule(import.meta.url)) {
  // process.exit: worker pools and the tensor backend may hold the event loop open.
  process.exit(await cliExitCode({ name: 'speedrun', main: () => main(process.argv.slice(2)) }));
}
