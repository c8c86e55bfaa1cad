// `pnpm speedrun`: the whole recipe from crawled pages to a chat model, on data that ships with
// the repository, with a report card at the end. Finished stages are skipped on a rerun.
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { crawlStage, filterStage, shardsStage, tokenizerStage } from './data-stages.ts';
import { evalStage } from './eval-stage.ts';
import { defaultOutDir } from './paths.ts';
import { type SpeedrunPresetName, speedrunPresets } from './presets.ts';
import { reportStage } from './report.ts';
import { runStages, SpeedrunError } from './runner.ts';
import { CHAT_MODEL_DIR, pretrainStage, sftStage } from './train-stages.ts';

export { type SpeedrunPreset, speedrunPresets } from './presets.ts';

export const stages = [
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
  --from STAGE    rerun from this stage on (finished stages before it are kept)
  --help          this text

Each stage writes into DIR/<stage>/ and a done.json marker; a rerun skips finished stages and an
interrupted training stage resumes from its last checkpoint.`;

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
  const markers = await runStages({ stages, outDir, preset, presetName, from: values.from });
  const report = markers.find((m) => m.stage === 'report')?.stats;
  const minutes = ((performance.now() - started) / 60_000).toFixed(1);
  console.log(`
Speedrun finished in ${minutes} min (preset ${presetName}).
  report:     ${report?.htmlPath} (and report.md beside it)
  tokenizer:  ${join(outDir, 'tokenizer', 'tokenizer.json')}
  base model: ${markers.find((m) => m.stage === 'pretrain')?.stats.checkpoint}
  chat model: ${join(outDir, CHAT_MODEL_DIR)}
Next: talk to it with \`pnpm chat${values.out ? ` --checkpoint ${join(outDir, CHAT_MODEL_DIR)}` : ''}\``);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof SpeedrunError ? `speedrun: ${error.message}` : error);
      process.exit(1);
    },
  );
}
