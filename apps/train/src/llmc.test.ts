// lmkit-train llmc: the llm.c run folder, llm.c's own CPU trainer on it (built from
// ../shared/peers/llm.c when that folder exists) with its step-0 validation loss equal to ours,
// and the return trip of float32 and bfloat16 checkpoints and main.log.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tokenizerToJSON, trainBpe } from '@lmkit/bpe';
import {
  decodeLlmc,
  decodeLlmcTokenizer,
  encodeLlmc,
  GPT,
  type GPTConfig,
  loadLanguageModel,
  modelWeights,
  setBackend,
  tf,
} from '@lmkit/gpt-model';
import { loadCheckpoint, readMetrics } from '@lmkit/trainer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareByteData } from './byte-data.ts';
import { buildLlmc } from './llmc-build.ts';
import { importLlmcCheckpoint, parseLlmcLog } from './llmc-import.ts';
import { type LlmcRunPlan, prepareLlmcRun } from './llmc-prepare.ts';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../..', import.meta.url));
const llmcSource = join(repo, '../shared/peers/llm.c');
const hasLlmc = existsSync(join(llmcSource, 'train_gpt2.c'));

const model = (vocabSize: number): GPTConfig => ({
  vocabSize,
  blockSize: 64,
  nLayer: 2,
  nHead: 2,
  nEmbd: 64,
  dropout: 0,
  bias: true,
});

/** llm.c's validation batches: B × T + 1 tokens from offset i × B × T, rows of T. */
function llmcValidationLoss(gpt: GPT, shard: Uint8Array, B: number, T: number, batches: number) {
  const tokens = new Uint16Array(new Uint8Array(shard).slice(1024).buffer);
  let sum = 0;
  for (let i = 0; i < batches; i++) {
    const window = tokens.subarray(i * B * T, i * B * T + B * T + 1);
    const inputs = Int32Array.from(window.subarray(0, B * T));
    const targets = Int32Array.from(window.subarray(1, B * T + 1));
    const loss = tf.tidy(() =>
      gpt.loss(tf.tensor2d(inputs, [B, T], 'int32'), tf.tensor2d(targets, [B, T], 'int32'), {
        training: false,
      }),
    );
    sum += loss.dataSync()[0];
    loss.dispose();
  }
  return sum / batches;
}

describe('lmkit-train llmc', () => {
  let root: string;
  let plan: LlmcRunPlan;
  let tokenizerJson: unknown;

  beforeAll(async () => {
    await setBackend('cpu');
    root = await mkdtemp(join(tmpdir(), 'lmkit-llmc-'));
    const text = join(root, 'shakespeare.txt');
    writeFileSync(
      text,
      readFileSync(join(repo, 'data/text/tinyshakespeare.txt'), 'utf8').slice(0, 40_000),
    );
    const data = await prepareByteData({ text, dir: join(root, 'shards') });
    const bytes = await trainBpe({ texts: [], vocabSize: 256, name: 'bytes' });
    tokenizerJson = tokenizerToJSON(bytes.withSpecialTokens(['<|endoftext|>']));
    writeFileSync(join(root, 'tokenizer.json'), JSON.stringify(tokenizerJson));
    plan = await prepareLlmcRun({
      run: {
        train: [data.train],
        val: [data.val],
        tokenizer: join(root, 'tokenizer.json'),
        modelSeed: 7,
        training: {
          batchSize: 4,
          sequenceLength: 64,
          totalBatchTokens: 1536,
          maxSteps: 20,
          evalEvery: 10,
          evalBatches: 5,
          gradientClip: 0.5,
          schedule: { maxLearningRate: 1e-3, warmupSteps: 2 },
        },
      },
      outDir: join(root, 'llmc'),
      modelFor: model,
      gpusPerNode: 2,
      nodes: 3,
    });
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('maps our settings to train_gpt2cu flags and notes what llm.c takes differently', () => {
    const flags = Object.fromEntries(
      plan.args.flatMap((arg, i) => (arg.startsWith('-') ? [[arg, plan.args[i + 1]]] : [])),
    );
    expect(flags).toMatchObject({
      '-i': 'data/train_*.bin',
      '-j': 'data/val_*.bin',
      '-e': 'model_00000000.bin',
      '-b': '4',
      '-t': '64',
      '-d': '1536',
      '-x': '20',
      '-l': '0.001',
      '-q': '0.1',
      '-u': '2',
      '-k': 'cosine',
      '-c': '0.1',
      '-v': '10',
      '-m': '5',
    });
    expect(plan.notes.join('\n')).toMatch(
      /gradientClip 0\.5: llm\.c always clips the global norm at 1/,
    );
    const launch = readFileSync(plan.launch, 'utf8');
    expect(launch).toMatch(/NP="\$\{NP:-2\}"/);
    expect(launch).toContain('exec mpirun -np "$NP" "$TRAIN_GPT2CU" \'-i\' \'data/train_*.bin\'');
    const sbatch = readFileSync(plan.sbatch, 'utf8');
    expect(sbatch).toContain(
      '#SBATCH --nodes=3\n#SBATCH --ntasks-per-node=2\n#SBATCH --gpus-per-node=2',
    );
    expect(sbatch).toMatch(/-pn "\$SLURM_NTASKS" -pr "\$SLURM_PROCID" -pg 2 -pi fs -pf/);
    expect(JSON.parse(readFileSync(join(plan.dir, 'llmc-run.json'), 'utf8')).totalBatchTokens).toBe(
      1536,
    );
  });

  it('launch.sh and sbatch.sh hand those flags to train_gpt2cu through mpirun and srun', async () => {
    // Stand-ins that record what they were given: train_gpt2cu, mpirun, and srun (which runs
    // its command as task 4 of 6, as Slurm would on the third node).
    const bin = join(root, 'fake-bin');
    await mkdir(bin);
    const calls = join(root, 'calls.txt');
    const script = (body: string) => `#!/bin/bash\n${body}\n`;
    writeFileSync(join(bin, 'train_gpt2cu'), script(`echo "train_gpt2cu $PWD $*" >> ${calls}`), {
      mode: 0o755,
    });
    writeFileSync(join(bin, 'mpirun'), script(`echo "mpirun $1 $2" >> ${calls}; shift 2; "$@"`), {
      mode: 0o755,
    });
    writeFileSync(join(bin, 'srun'), script('SLURM_NTASKS=6 SLURM_PROCID=4 "$@"'), { mode: 0o755 });
    const env = {
      ...process.env,
      PATH: `${bin}:${process.env.PATH}`,
      TRAIN_GPT2CU: join(bin, 'train_gpt2cu'),
    };
    await run('bash', [plan.launch], { env, cwd: tmpdir() });
    await run('bash', [plan.launch], { env: { ...env, NP: '1' } });
    await run('bash', [plan.sbatch], { env });
    const lines = readFileSync(calls, 'utf8').trim().split('\n');
    const flags = plan.args.join(' ');
    expect(lines).toEqual([
      'mpirun -np 2',
      `train_gpt2cu ${plan.dir} ${flags}`,
      `train_gpt2cu ${plan.dir} ${flags}`,
      `train_gpt2cu ${plan.dir} ${flags} -pn 6 -pr 4 -pg 2 -pi fs -pf ${join(plan.dir, 'nccl')}`,
    ]);
  });

  it("writes the initial weights (seeded as pretrain) and llm.c's tokenizer file from ours", () => {
    const { config, weights } = decodeLlmc(readFileSync(join(plan.dir, 'model_00000000.bin')));
    expect(config).toEqual(model(257));
    const ours = new GPT(model(257), { seed: 7 });
    expect(weights['h.1.mlp.c_fc.weight']).toEqual(modelWeights(ours).get('h.1.mlp.c_fc.weight'));
    ours.dispose();
    const file = decodeLlmcTokenizer(readFileSync(join(plan.dir, 'gpt2_tokenizer.bin')));
    expect(file.tokens).toHaveLength(257);
    expect(file.eotToken).toBe(256);
    expect(Buffer.from(file.tokens[256]).toString()).toBe('<|endoftext|>');
    expect([...file.tokens[104]]).toEqual([104]);
  });

  it('refuses a total batch that is not whole micro-batches on every GPU, naming the fix', async () => {
    await expect(
      prepareLlmcRun({
        run: {
          train: [join(plan.dir, 'data/train_000000.bin')],
          val: [join(plan.dir, 'data/val_000000.bin')],
          tokenizer: join(root, 'tokenizer.json'),
          training: { batchSize: 4, sequenceLength: 64, totalBatchTokens: 700, maxSteps: 1 },
        },
        outDir: join(root, 'bad'),
        modelFor: model,
      }),
    ).rejects.toThrow(
      /total batch 700 tokens is not a multiple of B 4 × T 64 × 1 GPU\(s\) = 256; .* --total-batch-tokens 768/,
    );
  });

  it.skipIf(!hasLlmc)(
    `llm.c's CPU trainer runs our folder and its step-0 val loss equals ours within 1e-4${hasLlmc ? '' : ` (skipped: ${llmcSource} not found)`}`,
    async () => {
      const started = Date.now();
      const binary = await buildLlmc({
        source: llmcSource,
        outDir: join(root, 'bin'),
        target: 'cpu',
      });
      const built = Date.now();
      const { stdout } = await run('bash', [plan.cpuScript], {
        env: { ...process.env, TRAIN_GPT2: binary, OMP_NUM_THREADS: '1' },
        maxBuffer: 16 * 2 ** 20,
      });
      console.log(
        `llm.c CPU trainer: built in ${built - started} ms, ran in ${Date.now() - built} ms`,
      );
      const valLosses = [...stdout.matchAll(/^val loss (\S+)$/gm)].map((m) => Number(m[1]));
      const trainLosses = [...stdout.matchAll(/^step (\d+): train loss (\S+)/gm)].map((m) =>
        Number(m[2]),
      );
      expect(valLosses).toHaveLength(5);
      expect(trainLosses).toHaveLength(41);
      // llm.c's CPU trainer evaluates 5 batches of B 4, T 64 from the start of the val shard.
      const { config, weights } = decodeLlmc(readFileSync(join(plan.dir, 'model_00000000.bin')));
      const ours = new GPT(config, { weights });
      const shard = readFileSync(
        join(plan.dir, 'dev/data/tinyshakespeare/tiny_shakespeare_val.bin'),
      );
      const lmkitLoss = llmcValidationLoss(ours, shard, 4, 64, 5);
      ours.dispose();
      console.log(
        `step-0 val loss: lmkit ${lmkitLoss.toFixed(6)}, llm.c ${valLosses[0].toFixed(6)}`,
      );
      expect(Math.abs(lmkitLoss - valLosses[0])).toBeLessThan(1e-4);
      // It trained: the last val loss is below the first.
      expect(valLosses[4]).toBeLessThan(valLosses[0]);
    },
    120_000,
  );

  it('brings float32 llm.c checkpoints back exactly and bfloat16 ones within their precision', async () => {
    const trained = new GPT(model(257), { seed: 9 });
    const weights = modelWeights(trained);
    const config = trained.config;
    trained.dispose();
    const checks: [string, 'float32' | 'bfloat16', number][] = [
      ['model_00000040.bin', 'float32', 0],
      ['model_00000080.bin', 'bfloat16', 2 ** -8],
    ];
    for (const [name, dtype, tolerance] of checks) {
      const file = join(plan.dir, 'log', name);
      writeFileSync(file, encodeLlmc(config, weights, { dtype }));
      const imported = await importLlmcCheckpoint({
        file,
        tokenizerJson,
        outDir: join(root, 'run'),
      });
      expect(imported.dtype).toBe(dtype);
      expect(imported.dir).toBe(
        join(
          root,
          'run',
          'checkpoints',
          name === 'model_00000040.bin' ? 'step-00000040' : 'step-00000080',
        ),
      );
      // What sft --base and the chat server load: manifest verified, weights and tokenizer.
      const loaded = await loadCheckpoint(imported.dir);
      expect(loaded.manifest.step).toBe(imported.step);
      expect(loaded.tokenizerJson).toEqual(tokenizerJson);
      let worst = 0;
      for (const [key, values] of modelWeights(loaded.model)) {
        const original = weights.get(key)!;
        for (let i = 0; i < values.length; i++) {
          const scale = Math.abs(original[i]);
          if (scale > 0) worst = Math.max(worst, Math.abs(values[i] - original[i]) / scale);
          else expect(values[i]).toBe(0);
        }
      }
      loaded.model.dispose();
      // What the chat server and the evaluations open: it generates from the imported folder.
      const lm = await loadLanguageModel(imported.dir);
      expect(typeof (await lm.complete('ROMEO:', { maxNewTokens: 4, seed: 1 }))).toBe('string');
      lm.model.dispose();
      if (tolerance === 0) expect(worst).toBe(0);
      else {
        expect(worst).toBeGreaterThan(0);
        expect(worst).toBeLessThanOrEqual(tolerance);
      }
    }
  });

  it("turns llm.c's main.log into our metrics records", () => {
    const log = [
      's:0 tel:5.5512',
      's:0 trl:5.5600 lr:0.000500 norm:3.21',
      's:1 trl:5.1000 lr:0.001000 norm:2.50',
      's:1 trl:5.0999 lr:0.001000 norm:2.49',
      's:2 eval:0.2500',
      's:2 tel:4.9000',
    ].join('\n');
    const { records, skipped } = parseLlmcLog(log, { totalBatchTokens: 512, totalSteps: 20 });
    expect(skipped).toBe(1);
    expect(records.map((r) => [r.type, r.step, r.loss, r.tokensSeen])).toEqual([
      ['val', 0, 5.5512, 0],
      ['train', 1, 5.56, 512],
      ['train', 2, 5.0999, 1024],
      ['val', 2, 4.9, 1024],
    ]);
    expect(records[2]).toMatchObject({ learningRate: 0.001, gradNorm: 2.49, totalSteps: 20 });
    writeFileSync(
      join(root, 'metrics.jsonl'),
      records.map((r) => `${JSON.stringify(r)}\n`).join(''),
    );
    expect(readMetrics(join(root, 'metrics.jsonl'))).toEqual(records);
    expect(() => parseLlmcLog('loss 3', { totalBatchTokens: 1 })).toThrow(
      /line 1 .* has no s:STEP/,
    );
  });
});
