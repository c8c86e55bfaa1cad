// The anchor: nanoGPT's CPU Shakespeare-char recipe (4 layers, 4 heads, 128 wide, block 64,
// batch 12, 2000 iterations, lr 1e-3 → 1e-4, dropout 0, first 90 % train / last 10 % validation)
// with `lmkit-train pretrain` and, when Debian's python3-torch is installed, our PyTorch script of the
// same recipe on the same machine, one after the other. Prints final validation loss and wall-clock
// time for both and draws both validation curves against time into one SVG (runs/bench/).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readMetrics, renderSvg } from '@lmkit/trainer';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const text = join(repoRoot, 'data/text/tinyshakespeare.txt');
const iterations = Number(process.env.LMKIT_SHAKESPEARE_ITERS ?? 2000);

function runProcess(
  command: string,
  args: string[],
  onLine: (line: string) => void,
  env: Record<string, string> = {},
): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...env },
    });
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      lines.forEach(onLine);
    });
    child.on('error', fail);
    child.on('exit', (code) => done(code ?? 1));
  });
}

function pythonWithTorch(): string | undefined {
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    if (candidate.startsWith('/') && !existsSync(candidate)) continue;
    if (existsSync('/usr/lib/python3/dist-packages/torch') || candidate === 'python3')
      return candidate;
  }
  return undefined;
}

export async function run(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'bench-shakespeare-'));
  const config = join(work, 'run.json');
  writeFileSync(
    config,
    JSON.stringify({
      text,
      model: { nLayer: 4, nHead: 4, nEmbd: 128, blockSize: 64, dropout: 0, bias: false },
      // @lmkit/tfjs-native's kernels when built (gpt-model's default); LMKIT_TRAIN_NATIVE=0 turns them off
      native: process.env.LMKIT_TRAIN_NATIVE === '0' ? false : undefined,
      training: {
        batchSize: 12,
        sequenceLength: 64,
        maxSteps: iterations,
        beta2: 0.99,
        weightDecay: 0.1,
        gradientClip: 1,
        evalEvery: 250,
        evalBatches: 20,
        checkpointEvery: 1000,
        schedule: {
          kind: 'cosine',
          maxLearningRate: 1e-3,
          minLearningRate: 1e-4,
          warmupSteps: 100,
          decaySteps: 2000,
        },
      },
    }),
  );
  const outDir = join(work, 'lmkit');
  const started = performance.now();
  const code = await runProcess(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions=source',
      join(repoRoot, 'apps/train/src/cli.ts'),
      'pretrain',
      '--config',
      config,
      '--out',
      outDir,
    ],
    (line) => {
      if (/^(val|backend|data)/.test(line) || /^step +\d+0{2}\//.test(line))
        console.log(`  lmkit: ${line}`);
    },
  );
  const oursWallS = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`lmkit-train pretrain exited with ${code}`);
  const records = readMetrics(join(outDir, 'metrics.jsonl'));
  const ourVal = records
    .filter((r) => r.type === 'val')
    .map((r) => [r.wallTimeMs / 1000, r.loss] as [number, number]);
  const ourTrain = records.filter((r) => r.type === 'train');
  const ourTokensPerSecond = (ourTrain.length * 12 * 64) / (ourTrain.at(-1)!.trainingTimeMs / 1000);
  const rows = [
    `| lmkit (\`lmkit-train pretrain\`, tfjs) | ${ourVal.at(-1)![1].toFixed(3)} | ${oursWallS.toFixed(0)} | ${Math.round(ourTokensPerSecond)} |`,
  ];
  const series = [{ name: 'lmkit validation loss', color: '#1f77b4', points: ourVal }];
  const python = pythonWithTorch();
  if (python) {
    const torchVal: [number, number][] = [];
    let done:
      | { wall_s: number; tokens_per_second: number; torch: string; threads: number }
      | undefined;
    const torchStarted = performance.now();
    const torchCode = await runProcess(
      python,
      [join(repoRoot, 'bench/pytorch/nanogpt_shakespeare.py'), text, '--iters', String(iterations)],
      (line) => {
        const record = JSON.parse(line);
        if (record.done) done = record;
        else {
          torchVal.push([record.wall_s, record.val_loss]);
          console.log(
            `  pytorch: iter ${record.iter} val ${record.val_loss.toFixed(4)} at ${record.wall_s.toFixed(0)} s`,
          );
        }
      },
      { OPENBLAS_NUM_THREADS: '2' },
    );
    const torchWallS = (performance.now() - torchStarted) / 1000;
    if (torchCode === 0 && done) {
      rows.push(
        `| nanoGPT recipe in PyTorch ${done.torch} (${done.threads} intra-op thread, OpenBLAS 2) | ${torchVal.at(-1)![1].toFixed(3)} | ${torchWallS.toFixed(0)} | ${Math.round(done.tokens_per_second)} |`,
      );
      series.push({ name: 'PyTorch validation loss', color: '#d62728', points: torchVal });
    } else {
      rows.push(`| nanoGPT recipe in PyTorch | failed (exit ${torchCode}) | | |`);
    }
  } else {
    rows.push('| nanoGPT recipe in PyTorch | skipped: Debian python3-torch is not installed | | |');
  }
  console.log(
    `\n## Tiny Shakespeare, character level, nanoGPT CPU recipe (${iterations} iterations)`,
  );
  console.log(
    '| contender | final validation loss (nats/char) | wall-clock s (with evaluations) | training tokens/s |',
  );
  console.log('| --- | --- | --- | --- |');
  for (const row of rows) console.log(row);
  const plotDir = join(repoRoot, 'runs/bench');
  mkdirSync(plotDir, { recursive: true });
  const plot = join(plotDir, 'trainer-shakespeare.svg');
  writeFileSync(
    plot,
    renderSvg({
      title: 'Tiny Shakespeare: validation loss against wall-clock time',
      xLabel: 'seconds',
      yLabel: 'validation loss (nats per character)',
      series,
    }),
  );
  console.log(`\nCurves: ${plot}`);
}
