// Hands an lmkit pre-training run to llm.c: the folder train_gpt2cu (or the CPU reference
// trainer, train_gpt2) runs in. Our shards (linked), the initial weights as an llm.c checkpoint,
// llm.c's tokenizer file written from our tokenizer, the flags our settings map to, a launch
// script for one node (mpirun -np N) and an sbatch script for several nodes (srun, NCCL set up
// through a shared folder). Settings llm.c cannot take are listed in `notes`, never dropped silently.
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tokenizerFromJSON } from '@lmkit/bpe';
import {
  encodeLlmc,
  encodeLlmcTokenizer,
  GPT,
  type GPTConfig,
  type LlmcDtype,
  modelWeights,
} from '@lmkit/gpt-model';
import { resolveTrainingConfig, TrainerConfigError } from '@lmkit/trainer';
import { prepareByteData } from './byte-data.ts';
import type { RunConfig } from './run-config.ts';

export interface PrepareLlmcOptions {
  /** The pre-training run config (paths absolute, as loadRunConfig returns them). */
  run: RunConfig;
  /** The llm.c run folder to write (absolute). */
  outDir: string;
  /** The model the run trains, given the tokenizer's vocabulary size (run-config's modelConfig). */
  modelFor: (vocabSize: number) => GPTConfig;
  /** GPUs per node (mpirun -np, or srun tasks per node). Default 1. */
  gpusPerNode?: number;
  /** Nodes of the sbatch script. Default 1 (the script is written for any count). */
  nodes?: number;
  /** train_gpt2cu the scripts run (overridable with $TRAIN_GPT2CU). Default `<outDir>/bin/train_gpt2cu`. */
  cudaTrainer?: string;
  /** llm.c's CPU trainer run-cpu.sh runs (overridable with $TRAIN_GPT2). Default `<outDir>/bin/train_gpt2`. */
  cpuTrainer?: string;
  /** Precision of the initial checkpoint. Default float32 (train_gpt2cu reads both). */
  dtype?: LlmcDtype;
}

export interface LlmcRunPlan {
  dir: string;
  config: GPTConfig;
  /** train_gpt2cu's arguments (relative to `dir`, which the scripts cd into). */
  args: string[];
  /** Steps of the run, micro-batch B, sequence length T, tokens per step. */
  steps: number;
  batchSize: number;
  sequenceLength: number;
  totalBatchTokens: number;
  launch: string;
  sbatch: string;
  cpuScript: string;
  /** Settings that llm.c takes differently or not at all. */
  notes: string[];
}

/** The end-of-text token llm.c starts its samples from (GPT-2's name for it). */
const END_OF_TEXT = '<|endoftext|>';
const q = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;
const formatNumber = (x: number) =>
  Number.isInteger(x) ? String(x) : x.toPrecision(6).replace(/\.?0+$/, '');

function link(target: string, path: string): void {
  rmSync(path, { force: true });
  symlinkSync(target, path);
}

/** Writes the llm.c run folder; returns what was written and how our settings were mapped. */
export async function prepareLlmcRun(options: PrepareLlmcOptions): Promise<LlmcRunPlan> {
  const { run, outDir: dir } = options;
  const gpus = options.gpusPerNode ?? 1;
  const nodes = options.nodes ?? 1;
  const notes: string[] = [];
  mkdirSync(join(dir, 'data'), { recursive: true });
  let train = run.train;
  let val = run.val;
  let tokenizerJson: unknown;
  if (run.text) {
    const data = await prepareByteData({
      text: run.text,
      valFraction: run.valFraction,
      dir: join(dir, 'bytes'),
    });
    train = [data.train];
    val = [data.val];
    tokenizerJson = data.tokenizerJson;
  }
  if (!train?.length)
    throw new TrainerConfigError(
      'no training data: give "train" shards (or "text") in the run config',
    );
  if (!val?.length)
    throw new TrainerConfigError(
      'no validation shards: llm.c evaluates on its -j shards; give "val" in the run config',
    );
  if (run.tokenizer) {
    tokenizerJson = JSON.parse(readFileSync(run.tokenizer, 'utf8'));
  }
  if (tokenizerJson === undefined)
    throw new TrainerConfigError(
      'no tokenizer: give "tokenizer" (a bpe tokenizer.json) in the run config',
    );
  const tokenizer = tokenizerFromJSON(tokenizerJson);
  const config = options.modelFor(tokenizer.vocabSize);
  if (!config.bias)
    throw new TrainerConfigError(
      'llm.c models always have biases; set "bias": true in the model config',
    );
  if (config.dropout > 0) notes.push(`dropout ${config.dropout}: llm.c trains without dropout`);

  const training = resolveTrainingConfig(run.training ?? {});
  const B = training.batchSize;
  const T = Math.min(training.sequenceLength, config.blockSize);
  const processes = gpus * nodes;
  const totalBatchTokens = training.totalBatchTokens ?? B * T * processes;
  if (totalBatchTokens % (B * T * processes) !== 0)
    throw new TrainerConfigError(
      `total batch ${totalBatchTokens} tokens is not a multiple of B ${B} × T ${T} × ${processes} GPU(s) = ${B * T * processes}; llm.c accumulates whole micro-batches, so pass --total-batch-tokens ${Math.max(1, Math.round(totalBatchTokens / (B * T * processes))) * B * T * processes}`,
    );
  const steps =
    training.maxSteps ??
    (training.maxTokens !== undefined
      ? Math.floor(training.maxTokens / totalBatchTokens)
      : undefined);
  if (steps === undefined || steps < 1)
    throw new TrainerConfigError(
      'llm.c needs a step budget: give training.maxSteps or maxTokens (maxMinutes has no llm.c flag)',
    );
  if (training.maxMinutes !== undefined)
    notes.push(
      `maxMinutes ${training.maxMinutes}: no llm.c flag; the run stops after ${steps} steps`,
    );

  // Shards: linked under data/ so that llm.c's glob patterns find them in order.
  for (const [i, path] of train.entries())
    link(path, join(dir, 'data', `train_${String(i).padStart(6, '0')}.bin`));
  for (const [i, path] of val.entries())
    link(path, join(dir, 'data', `val_${String(i).padStart(6, '0')}.bin`));

  // The initial weights, seeded as lmkit-train pretrain seeds them.
  const model = new GPT(config, { seed: run.modelSeed ?? 1337 });
  const weights = modelWeights(model);
  model.dispose();
  writeFileSync(
    join(dir, 'model_00000000.bin'),
    encodeLlmc(config, weights, { dtype: options.dtype }),
  );

  // llm.c's tokenizer file (its samples decode with it) and ours (the return trip takes it).
  const eot = tokenizer.specialTokenId(END_OF_TEXT);
  if (eot === undefined)
    notes.push(`the tokenizer has no ${END_OF_TEXT}; llm.c starts its samples from id 0`);
  const tokens = Array.from({ length: tokenizer.vocabSize }, (_, id) => tokenizer.tokenToBytes(id));
  writeFileSync(
    join(dir, 'gpt2_tokenizer.bin'),
    encodeLlmcTokenizer({ tokens, eotToken: eot ?? 0 }),
  );
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson));

  const schedule = training.schedule;
  const args = [
    ['-i', 'data/train_*.bin'],
    ['-j', 'data/val_*.bin'],
    ['-e', 'model_00000000.bin'],
    ['-o', 'log'],
    ['-b', String(B)],
    ['-t', String(T)],
    ['-d', String(totalBatchTokens)],
    ['-x', String(steps)],
    ['-l', formatNumber(schedule.maxLearningRate)],
    ['-c', formatNumber(training.weightDecay)],
    ['-v', String(training.evalEvery ?? steps)],
    ['-m', String(training.evalBatches)],
    ['-s', String(training.sampleEvery ?? 0)],
    ['-g', String(training.sampleTokens)],
    ['-n', String(training.checkpointEvery ?? steps)],
    ['-nk', String(training.keepLast)],
    ['-h', '0'],
  ];
  if (schedule.kind === 'constant') args.push(['-k', 'constant'], ['-u', '0']);
  else {
    args.push(
      ['-k', schedule.kind],
      ['-u', String(schedule.warmupSteps)],
      ['-q', formatNumber(schedule.minLearningRate / schedule.maxLearningRate)],
    );
    if (schedule.kind === 'cosine' && schedule.decaySteps !== steps)
      notes.push(
        `cosine decay over ${schedule.decaySteps} steps: llm.c decays over the whole run (${steps} steps)`,
      );
    if (schedule.kind === 'wsd')
      notes.push(
        'wsd: llm.c cools down over the last 20 % with 1 - sqrt(progress), lmkit linearly over decaySteps',
      );
  }
  if (training.gradientClip !== 1)
    notes.push(
      `gradientClip ${training.gradientClip ?? 'off'}: llm.c always clips the global norm at 1`,
    );
  if (training.beta1 !== 0.9 || training.beta2 !== 0.95 || training.epsilon !== 1e-8)
    notes.push(
      `AdamW β1 ${training.beta1}, β2 ${training.beta2}, ε ${training.epsilon}: llm.c uses 0.9, 0.95, 1e-8`,
    );
  notes.push(
    `seed ${training.seed}: llm.c shuffles the training data with its own generator (the initial weights are ours)`,
  );
  const flat = args.flat();

  mkdirSync(join(dir, 'bin'), { recursive: true });
  mkdirSync(join(dir, 'log'), { recursive: true });
  const cuda = options.cudaTrainer ?? join(dir, 'bin', 'train_gpt2cu');
  const cpu = options.cpuTrainer ?? join(dir, 'bin', 'train_gpt2');
  const command = (binary: string) => [`"$${binary}"`, ...flat.map(q)].join(' ');
  const launch = [
    '#!/bin/bash',
    `# llm.c pre-training on one node with ${gpus} GPU(s): bash launch.sh (or NP=8 bash launch.sh).`,
    '# Checkpoints and main.log go to log/; bring them back with lmkit-train llmc import.',
    'set -euo pipefail',
    'cd "$(dirname "$0")"',
    `TRAIN_GPT2CU="\${TRAIN_GPT2CU:-${cuda}}"`,
    `NP="\${NP:-${gpus}}"`,
    'if [ "$NP" = 1 ]; then',
    `  exec ${command('TRAIN_GPT2CU')}`,
    'fi',
    `exec mpirun -np "$NP" ${command('TRAIN_GPT2CU')}`,
    '',
  ].join('\n');
  const sbatch = [
    '#!/bin/bash',
    `# llm.c pre-training on ${nodes} node(s) x ${gpus} GPU(s): sbatch ${join(dir, 'sbatch.sh')}`,
    '# (change --nodes/--gpus-per-node here and -pg below together). NCCL meets through nccl/ on',
    '# the shared file system, so no MPI is needed across nodes.',
    '#SBATCH --job-name=lmkit-llmc',
    `#SBATCH --nodes=${nodes}`,
    `#SBATCH --ntasks-per-node=${gpus}`,
    `#SBATCH --gpus-per-node=${gpus}`,
    `#SBATCH --output=${join(dir, 'log', 'slurm-%j.out')}`,
    'set -euo pipefail',
    `cd ${q(dir)}`,
    'mkdir -p nccl',
    `export TRAIN_GPT2CU="\${TRAIN_GPT2CU:-${cuda}}"`,
    `srun bash -c '${command('TRAIN_GPT2CU').replaceAll("'", `'\\''`)} -pn "$SLURM_NTASKS" -pr "$SLURM_PROCID" -pg ${gpus} -pi fs -pf ${q(join(dir, 'nccl')).replaceAll("'", `'\\''`)}'`,
    '',
  ].join('\n');
  // llm.c's CPU reference trainer reads fixed paths; it trains B 4, T 64 for 40 steps at lr 1e-4.
  mkdirSync(join(dir, 'dev/data/tinyshakespeare'), { recursive: true });
  link(join(dir, 'model_00000000.bin'), join(dir, 'gpt2_124M.bin'));
  link(train[0], join(dir, 'dev/data/tinyshakespeare/tiny_shakespeare_train.bin'));
  link(val[0], join(dir, 'dev/data/tinyshakespeare/tiny_shakespeare_val.bin'));
  const cpuScript = [
    '#!/bin/bash',
    "# llm.c's CPU reference trainer (train_gpt2.c) on the same model and shards: its settings are",
    '# fixed in its source (B 4, T 64, 40 steps, lr 1e-4, val loss over 5 batches every 10 steps).',
    'set -euo pipefail',
    'cd "$(dirname "$0")"',
    `exec "\${TRAIN_GPT2:-${cpu}}"`,
    '',
  ].join('\n');
  for (const [name, text] of [
    ['launch.sh', launch],
    ['sbatch.sh', sbatch],
    ['run-cpu.sh', cpuScript],
  ] as const)
    writeFileSync(join(dir, name), text, { mode: 0o755 });
  const plan: LlmcRunPlan = {
    dir,
    config,
    args: flat,
    steps,
    batchSize: B,
    sequenceLength: T,
    totalBatchTokens,
    launch: join(dir, 'launch.sh'),
    sbatch: join(dir, 'sbatch.sh'),
    cpuScript: join(dir, 'run-cpu.sh'),
    notes,
  };
  writeFileSync(join(dir, 'llmc-run.json'), `${JSON.stringify(plan, null, 2)}\n`);
  return plan;
}
