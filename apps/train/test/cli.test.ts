import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readMetrics, verifyCheckpoint } from '@lmkit/trainer';
import { describe, expect, it } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const cli = join(repoRoot, 'apps/train/src/cli.ts');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; when `until` matches stdout, sends `kill` to it. */
function lmkitTrain(
  args: string[],
  until?: { pattern: RegExp; kill: NodeJS.Signals },
): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=source', cli, ...args],
      { cwd: repoRoot },
    );
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (until && !sent && until.pattern.test(stdout)) {
        sent = true;
        child.kill(until.kill);
      }
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', fail);
    child.on('exit', (code, signal) => done({ code, signal, stdout, stderr }));
  });
}

const temp = () => mkdtempSync(join(tmpdir(), 'app-train-'));

/** A tiny GPT on Tiny Shakespeare bytes; 16 steps, a checkpoint every 4. */
function tinyConfig(): string {
  const path = join(temp(), 'run.json');
  writeFileSync(
    path,
    JSON.stringify({
      text: join(repoRoot, 'data/text/tinyshakespeare.txt'),
      model: { nLayer: 1, nHead: 2, nEmbd: 32, blockSize: 16 },
      backend: 'wasm',
      native: false,
      training: {
        batchSize: 4,
        sequenceLength: 16,
        maxSteps: 16,
        checkpointEvery: 4,
        evalEvery: 20,
        evalBatches: 2,
        schedule: { maxLearningRate: 3e-3, warmupSteps: 5 },
      },
    }),
  );
  return path;
}

const trainLosses = (outDir: string) =>
  readMetrics(join(outDir, 'metrics.jsonl'))
    .filter((r) => r.type === 'train')
    .map((r) => [r.step, r.loss]);

describe('lmkit-train', () => {
  it('prints help for every command and rejects bad config with a clear message', async () => {
    const [top, pretrainHelp, bench] = await Promise.all([
      lmkitTrain(['--help']),
      lmkitTrain(['pretrain', '--help']),
      lmkitTrain(['bench', '--preset', 'z']),
    ]);
    expect(top.stdout).toMatch(/pretrain[\s\S]*sft[\s\S]*sample[\s\S]*bench/);
    expect(pretrainHelp.stdout).toContain('--resume-from DIR');
    expect(bench.code).toBe(2);
    expect(bench.stderr).toContain('lmkit-train: --preset z: must be one of a, b');
    const bad = join(temp(), 'bad.json');
    writeFileSync(bad, JSON.stringify({ text: 'x.txt', trainig: {} }));
    const run = await lmkitTrain(['pretrain', '--config', bad]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/field trainig is unknown; known fields: .*training/);
  });

  it('resumes after SIGKILL with the same losses, plots, and samples from the checkpoint', async () => {
    const config = tinyConfig();
    const whole = temp();
    const killed = temp();
    const [wholeRun, killedRun] = await Promise.all([
      lmkitTrain(['pretrain', '--config', config, '--out', whole]),
      lmkitTrain(['pretrain', '--config', config, '--out', killed], {
        pattern: /checkpoint step 4 /,
        kill: 'SIGKILL',
      }),
    ]);
    expect(wholeRun.code).toBe(0);
    expect(killedRun.signal).toBe('SIGKILL');
    const before = trainLosses(killed);
    expect(before.length).toBeGreaterThanOrEqual(4);
    expect(before.length).toBeLessThan(16);
    const resumed = await lmkitTrain(['pretrain', '--config', config, '--out', killed, '--resume']);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/resumed from .*step-000000(04|08|12) at step/);
    expect(trainLosses(killed)).toEqual(trainLosses(whole));
    expect(trainLosses(whole)).toHaveLength(16);
    expect(existsSync(join(killed, 'loss.svg')) && existsSync(join(killed, 'loss.png'))).toBe(true);
    const checkpoint = JSON.parse(resumed.stdout.trim().split('\n').at(-1)!).checkpoint;
    expect(verifyCheckpoint(checkpoint).step).toBe(16);
    const sample = await lmkitTrain([
      'sample',
      '--checkpoint',
      checkpoint,
      '--prompt',
      'ROMEO:',
      '--max-new-tokens',
      '8',
      '--backend',
      'wasm',
      '--no-native',
    ]);
    expect(sample.code).toBe(0);
    expect(sample.stdout).toMatch(/^ROMEO:[\s\S]{8}/);
    // a damaged checkpoint is refused, not loaded
    const state = join(checkpoint, 'trainer-state.json');
    writeFileSync(state, readFileSync(state, 'utf8').replace('"step": 16', '"step": 17'));
    const refused = await lmkitTrain([
      'sample',
      '--checkpoint',
      checkpoint,
      '--backend',
      'wasm',
      '--no-native',
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/trainer-state\.json (has|sha256)/);
  });

  it('SIGINT writes a checkpoint at the next step boundary and exits 130', async () => {
    const config = tinyConfig();
    const out = temp();
    const run = await lmkitTrain(
      ['pretrain', '--config', config, '--out', out, '--checkpoint-every', '100'],
      {
        pattern: /step {1,2}3\/16/,
        kill: 'SIGINT',
      },
    );
    expect(run.code).toBe(130);
    const steps = trainLosses(out).length;
    expect(steps).toBeGreaterThanOrEqual(3);
    expect(run.stdout).toContain(`checkpoint step ${steps} `);
    expect(
      verifyCheckpoint(join(out, 'checkpoints', `step-${String(steps).padStart(8, '0')}`)).step,
    ).toBe(steps);
  });
});
