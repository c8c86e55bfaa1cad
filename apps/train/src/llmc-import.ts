// The return trip from llm.c: a checkpoint it wrote (model_NNNNNNNN.bin, float32 or bfloat16)
// becomes an lmkit checkpoint folder (config.json, model.safetensors, tokenizer.json,
// manifest.json) that sft, the chat server and the evaluations load; its main.log (train and
// val loss lines) becomes our metrics.jsonl, with the loss plots. llm.c's optimizer state
// (state_*.bin) is not imported: continue such a run in llm.c (-y 1), or fine-tune from here.
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  checkpointManifest,
  decodeLlmc,
  GPT,
  type GPTConfig,
  type LlmcDtype,
} from '@lmkit/gpt-model';
import {
  checkpointName,
  type EvalMetrics,
  type MetricsRecord,
  TrainerConfigError,
  type TrainStepMetrics,
} from '@lmkit/trainer';

/** llm.c checkpoints in a folder (its -o log folder), oldest first. */
export function listLlmcCheckpoints(dir: string): { step: number; path: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => ({ name, match: /^model_(\d{8})\.bin$/.exec(name) }))
    .filter((entry) => entry.match)
    .map((entry) => ({ step: Number(entry.match![1]), path: join(dir, entry.name) }))
    .sort((a, b) => a.step - b.step);
}

export interface ImportedCheckpoint {
  dir: string;
  step: number;
  config: GPTConfig;
  dtype: LlmcDtype;
}

/**
 * Writes `<outDir>/checkpoints/step-NNNNNNNN/` from an llm.c checkpoint file: written into a
 * temporary folder and renamed into place, with a manifest of every file's sha256 and size.
 */
export async function importLlmcCheckpoint(options: {
  /** model_NNNNNNNN.bin (or any llm.c checkpoint file). */
  file: string;
  /** Our tokenizer file (bpe JSON) the run trained with. */
  tokenizerJson: unknown;
  outDir: string;
  /** Steps the checkpoint has trained; default the number in its file name, else 0. */
  step?: number;
}): Promise<ImportedCheckpoint> {
  const { config, weights, dtype } = decodeLlmc(new Uint8Array(readFileSync(options.file)));
  const step = options.step ?? Number(/model_(\d+)\.bin$/.exec(options.file)?.[1] ?? 0);
  const root = join(options.outDir, 'checkpoints');
  const final = join(root, checkpointName(step));
  const temporary = join(root, `.${checkpointName(step)}.tmp-${process.pid}`);
  rmSync(temporary, { recursive: true, force: true });
  mkdirSync(temporary, { recursive: true });
  const model = new GPT(config, { weights });
  try {
    await model.save(temporary);
  } finally {
    model.dispose();
  }
  writeFileSync(join(temporary, 'tokenizer.json'), JSON.stringify(options.tokenizerJson));
  const manifest = checkpointManifest(temporary, step);
  writeFileSync(join(temporary, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  rmSync(final, { recursive: true, force: true });
  renameSync(temporary, final);
  return { dir: final, step, config, dtype };
}

/**
 * Our metrics records from llm.c's main.log: `s:S trl:L lr:R norm:N` (the loss of step S, so
 * S + 1 steps are done) and `s:S tel:L` (validation loss before step S). llm.c logs no
 * timings: durations, tokens/s, MFU and times are 0. A step logged twice (a resumed run) keeps
 * its last line; HellaSwag lines (`eval:`) are counted in `skipped`.
 */
export function parseLlmcLog(
  text: string,
  options: { totalBatchTokens: number; totalSteps?: number },
): { records: MetricsRecord[]; skipped: number } {
  const train = new Map<number, TrainStepMetrics>();
  const val = new Map<number, EvalMetrics>();
  let skipped = 0;
  const tokens = (steps: number) => steps * options.totalBatchTokens;
  for (const [index, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    const fields = Object.fromEntries(
      line
        .trim()
        .split(/\s+/)
        .map((part) => part.split(':') as [string, string]),
    );
    const step = Number(fields.s);
    if (!Number.isInteger(step))
      throw new TrainerConfigError(
        `main.log line ${index + 1} ("${line}") has no s:STEP; is this llm.c's main.log?`,
      );
    if (fields.trl !== undefined) {
      train.set(step, {
        type: 'train',
        step: step + 1,
        totalSteps: options.totalSteps ?? Number.NaN,
        loss: Number(fields.trl),
        learningRate: Number(fields.lr),
        gradNorm: Number(fields.norm),
        durationMs: 0,
        tokensPerSecond: 0,
        mfu: 0,
        tokensSeen: tokens(step + 1),
        trainingTimeMs: 0,
        wallTimeMs: 0,
      });
    } else if (fields.tel !== undefined) {
      val.set(step, {
        type: 'val',
        step,
        loss: Number(fields.tel),
        tokensSeen: tokens(step),
        trainingTimeMs: 0,
        wallTimeMs: 0,
      });
    } else skipped++;
  }
  const records: MetricsRecord[] = [...train.values(), ...val.values()];
  // In step order; at equal counts the training line (step S - 1 done) precedes the validation before step S.
  records.sort((a, b) => a.step - b.step || (a.type === 'val' ? 1 : -1));
  if (options.totalSteps === undefined) {
    const last = Math.max(0, ...records.map((r) => r.step));
    for (const record of records) if (record.type === 'train') record.totalSteps = last;
  }
  return { records, skipped };
}
