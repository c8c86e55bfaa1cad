// `lmkit-train llmc prepare|import`: hands a pre-training run to llm.c (and builds llm.c's
// trainer when asked), and brings llm.c's checkpoints and loss log back as an lmkit run folder.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { flag, formatHelp, parseFlags, UsageError } from '@lmkit/cli-kit';
import { setBackend } from '@lmkit/gpt-model';
import { writeLossPlots } from '@lmkit/trainer';
import { trainingFlags } from './args.ts';
import { buildLlmc, defaultLlmcTarget, type LlmcTarget } from './llmc-build.ts';
import { importLlmcCheckpoint, listLlmcCheckpoints, parseLlmcLog } from './llmc-import.ts';
import { type LlmcRunPlan, prepareLlmcRun } from './llmc-prepare.ts';
import { checkRunPaths, configFlag, loadRunConfig, modelConfig, runFlags } from './run-config.ts';

/** The run-config flags a pre-training hand-over reads (data, tokenizer, model). */
const dataFlags = ['model', 'model-seed', 'text', 'val-fraction', 'train', 'val', 'tokenizer'];

const prepareFlags = {
  ...configFlag,
  ...Object.fromEntries(dataFlags.map((name) => [name, runFlags[name]])),
  out: flag.string({ description: 'the llm.c run folder to write', placeholder: 'DIR' }),
  gpus: flag.number({
    description: 'GPUs per node: mpirun -np, srun tasks per node (default 1)',
    integer: true,
    min: 1,
  }),
  nodes: flag.number({ description: 'nodes in sbatch.sh (default 1)', integer: true, min: 1 }),
  dtype: flag.string({
    description: 'precision of model_00000000.bin (default float32)',
    choices: ['float32', 'bfloat16'] as const,
  }),
  build: flag.string({
    description:
      'compile llm.c from this clone into DIR/bin (train_gpt2cu with nvcc, else the CPU trainer)',
    placeholder: 'LLMC_DIR',
  }),
  target: flag.string({
    description: 'what --build compiles (default cuda when nvcc is on PATH, else cpu)',
    choices: ['cpu', 'cuda'] as const,
  }),
  ...trainingFlags,
};

const importFlags = {
  from: flag.string({
    description:
      'the prepared llm.c folder after llm.c ran (log/ holds its checkpoints and main.log)',
    placeholder: 'DIR',
  }),
  out: flag.string({
    description: 'the lmkit run folder to write: checkpoints/step-N/, metrics.jsonl, loss.svg/png',
    placeholder: 'RUN',
  }),
  checkpoint: flag.string({
    description: 'a particular llm.c checkpoint (default the newest in DIR/log)',
    placeholder: 'FILE',
  }),
  tokenizer: flag.string({
    description: 'our tokenizer.json (default DIR/tokenizer.json)',
    placeholder: 'FILE',
  }),
  'total-batch-tokens': flag.number({
    description: 'tokens per step, for the metrics (default from DIR/llmc-run.json)',
    integer: true,
    min: 1,
  }),
};

export const llmcHelp = [
  formatHelp({
    usage: 'lmkit-train llmc prepare --config run.json --out DIR [flags]',
    description:
      "An llm.c run folder from an lmkit pre-training config (pretrain's run.json and flags): data/ (our shards, linked), model_00000000.bin (the initial weights), gpt2_tokenizer.bin (llm.c's tokenizer file from ours), launch.sh (one node: mpirun -np N), sbatch.sh (several nodes: srun, NCCL through a shared folder), run-cpu.sh (llm.c's CPU trainer) and llmc-run.json (the flags, and what llm.c takes differently).",
    groups: [{ flags: prepareFlags }],
  }),
  formatHelp({
    usage: 'lmkit-train llmc import --from DIR --out RUN [flags]',
    description:
      'The return trip: the newest DIR/log/model_NNNNNNNN.bin (float32 or bfloat16) becomes RUN/checkpoints/step-N/ (config, safetensors, tokenizer, manifest), which lmkit-train sft --base, pnpm chat and the evaluations take; DIR/log/main.log becomes RUN/metrics.jsonl with the loss plots.',
    groups: [{ flags: importFlags }],
  }),
].join('\n\n');

const describePlan = (plan: LlmcRunPlan) =>
  [
    `llm.c run folder ${plan.dir}: ${plan.steps} steps of ${plan.totalBatchTokens} tokens (B ${plan.batchSize}, T ${plan.sequenceLength})`,
    `  one node:      bash ${plan.launch}        (NP=8 bash ... for 8 GPUs)`,
    `  several nodes: sbatch ${plan.sbatch}`,
    `  CPU check:     bash ${plan.cpuScript}`,
    `  train_gpt2cu ${plan.args.join(' ')}`,
    ...plan.notes.map((note) => `  note: ${note}`),
  ].join('\n');

async function prepare(argv: string[]): Promise<number> {
  const { values } = parseFlags(prepareFlags, argv);
  if (values.help) {
    console.log(llmcHelp);
    return 0;
  }
  if (!values.out)
    throw new UsageError('llmc prepare needs --out DIR (the llm.c run folder to write)');
  const dir = resolve(values.out as string);
  const run = loadRunConfig({ ...values, out: undefined });
  checkRunPaths(run);
  await setBackend('cpu');
  let cudaTrainer: string | undefined;
  let cpuTrainer: string | undefined;
  if (values.build) {
    const target = (values.target as LlmcTarget | undefined) ?? (await defaultLlmcTarget());
    const binary = await buildLlmc({
      source: resolve(values.build as string),
      outDir: join(dir, 'bin'),
      target,
    });
    if (target === 'cuda') cudaTrainer = binary;
    else cpuTrainer = binary;
    console.error(`built ${binary}`);
  }
  const plan = await prepareLlmcRun({
    run,
    outDir: dir,
    modelFor: (vocabSize) => modelConfig(run.model, vocabSize),
    gpusPerNode: values.gpus as number | undefined,
    nodes: values.nodes as number | undefined,
    dtype: values.dtype as 'float32' | 'bfloat16' | undefined,
    cudaTrainer,
    cpuTrainer,
  });
  console.log(describePlan(plan));
  return 0;
}

async function importRun(argv: string[]): Promise<number> {
  const { values } = parseFlags(importFlags, argv);
  if (values.help) {
    console.log(llmcHelp);
    return 0;
  }
  const from = values.from as string | undefined;
  if (!values.out || (!from && !values.checkpoint))
    throw new UsageError('llmc import needs --out RUN and --from DIR (or --checkpoint FILE)');
  const runInfo =
    from && existsSync(join(from, 'llmc-run.json'))
      ? (JSON.parse(readFileSync(join(from, 'llmc-run.json'), 'utf8')) as LlmcRunPlan)
      : undefined;
  const file =
    (values.checkpoint as string | undefined) ??
    (from ? listLlmcCheckpoints(join(from, 'log')).at(-1)?.path : undefined);
  if (!file)
    throw new UsageError(
      `${join(from ?? '.', 'log')} holds no model_NNNNNNNN.bin; run llm.c with -n (checkpoint every N steps) or pass --checkpoint FILE`,
    );
  const tokenizerPath =
    (values.tokenizer as string | undefined) ?? (from ? join(from, 'tokenizer.json') : undefined);
  if (!tokenizerPath || !existsSync(tokenizerPath))
    throw new UsageError(
      `no tokenizer.json at ${tokenizerPath ?? '(none)'}; pass --tokenizer FILE (the run's bpe tokenizer)`,
    );
  await setBackend('cpu');
  const runDir = resolve(values.out as string);
  const imported = await importLlmcCheckpoint({
    file,
    tokenizerJson: JSON.parse(readFileSync(tokenizerPath, 'utf8')),
    outDir: runDir,
  });
  console.log(`${file} (${imported.dtype}) → ${imported.dir}`);
  const log = from ? join(from, 'log', 'main.log') : undefined;
  if (log && existsSync(log)) {
    const totalBatchTokens =
      (values.totalBatchTokens as number | undefined) ?? runInfo?.totalBatchTokens;
    if (totalBatchTokens === undefined)
      throw new UsageError('pass --total-batch-tokens N (tokens per step) to import main.log');
    const { records, skipped } = parseLlmcLog(readFileSync(log, 'utf8'), {
      totalBatchTokens,
      totalSteps: runInfo?.steps,
    });
    writeFileSync(
      join(runDir, 'metrics.jsonl'),
      records.map((r) => `${JSON.stringify(r)}\n`).join(''),
    );
    const plots = writeLossPlots({ records, outDir: runDir, title: 'llm.c pre-training' });
    console.log(
      `${log}: ${records.length} records → ${join(runDir, 'metrics.jsonl')}, ${plots.svg}${skipped ? ` (${skipped} HellaSwag lines skipped)` : ''}`,
    );
  }
  return 0;
}

/** `lmkit-train llmc prepare|import ...`. */
export async function llmcCommand(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (action === 'prepare') return prepare(rest);
  if (action === 'import') return importRun(rest);
  if (action === undefined || action === '--help' || action === '-h') {
    console.log(llmcHelp);
    return action === undefined ? 2 : 0;
  }
  throw new UsageError(
    `unknown llmc action "${action}"; use prepare or import (lmkit-train llmc --help)`,
  );
}
