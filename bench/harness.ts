// A small side-by-side benchmark harness: runs each contender on the same input, interleaved, in
// one process, and reports medians and ratios against a baseline. Timing only; no assertions.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Contender {
  /** Name printed in the table. */
  name: string;
  /** One timed run; return a value so the work cannot be optimised away. */
  run: () => unknown;
  /** Optional setup before each timed run, not timed (for example clearing a cache). */
  before?: () => void;
}

export interface BenchResult {
  name: string;
  medianMs: number;
  samplesMs: number[];
  /** Throughput in units per second when `units` was given (MB, documents, tokens, ...). */
  unitsPerSecond?: number;
  /** This contender's speed relative to the baseline: baselineMedian / thisMedian (>1 = faster). */
  speedupVsBaseline: number;
}

export interface BenchOptions {
  title: string;
  contenders: Contender[];
  /** Name of the contender the others are compared to; default: the last one. */
  baseline?: string;
  /** Timed rounds (each round runs every contender once, in rotating order). Default 5. */
  rounds?: number;
  /** Untimed warm-up rounds. Default 1. */
  warmupRounds?: number;
  /** Work per run, e.g. megabytes of input, for a throughput column. */
  units?: { amount: number; label: string };
  /** Do not print the table (the caller adjusts the results and prints them with printTable). */
  quiet?: boolean;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

let sink: unknown;

export function bench(options: BenchOptions): BenchResult[] {
  const rounds = options.rounds ?? 5;
  const warmupRounds = options.warmupRounds ?? 1;
  const samples = new Map<string, number[]>(options.contenders.map((c) => [c.name, []]));
  for (let round = 0; round < warmupRounds + rounds; round++) {
    const count = options.contenders.length;
    for (let k = 0; k < count; k++) {
      const contender = options.contenders[(round + k) % count];
      contender.before?.();
      const start = performance.now();
      sink = contender.run();
      const elapsedMs = performance.now() - start;
      if (round >= warmupRounds) samples.get(contender.name)!.push(elapsedMs);
    }
  }
  const baselineName = options.baseline ?? options.contenders.at(-1)!.name;
  const baselineMedian = median(samples.get(baselineName)!);
  const results = options.contenders.map((c): BenchResult => {
    const samplesMs = samples.get(c.name)!;
    const medianMs = median(samplesMs);
    return {
      name: c.name,
      medianMs,
      samplesMs,
      unitsPerSecond: options.units ? options.units.amount / (medianMs / 1000) : undefined,
      speedupVsBaseline: baselineMedian / medianMs,
    };
  });
  if (!options.quiet) printTable(options, results, baselineName);
  return results;
}

export function printTable(
  options: Pick<BenchOptions, 'title' | 'units'>,
  results: BenchResult[],
  baselineName: string,
) {
  const unitLabel = options.units ? `${options.units.label}/s` : '';
  console.log(`\n## ${options.title}`);
  console.log(
    `| contender | median ms | ${unitLabel ? `${unitLabel} | ` : ''}× vs ${baselineName} |`,
  );
  console.log(`| --- | --- | ${unitLabel ? '--- | ' : ''}--- |`);
  for (const r of results) {
    const throughput = unitLabel ? `${r.unitsPerSecond!.toFixed(2)} | ` : '';
    console.log(
      `| ${r.name} | ${r.medianMs.toFixed(1)} | ${throughput}${r.speedupVsBaseline.toFixed(2)} |`,
    );
  }
  void sink;
}

/** Machine description for BENCHMARKS.md. */
export async function machineLine(): Promise<string> {
  const os = await import('node:os');
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}

/**
 * One `lmkit-train bench` run (training tokens/s through the real loop) in a process of its own,
 * from the repository root: its JSON line, or why it failed.
 */
export function lmkitTrainBench(options: {
  preset: 'a' | 'b';
  steps: number;
  warmup?: number;
  native: boolean;
  env?: Record<string, string>;
}): Record<string, number | string> | { error: string } {
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const args = [
    ...['--import', 'tsx', '--conditions=source', join(repoRoot, 'apps/train/src/cli.ts'), 'bench'],
    ...['--preset', options.preset, '--steps', String(options.steps)],
    ...(options.warmup === undefined ? [] : ['--warmup', String(options.warmup)]),
    options.native ? '--native' : '--no-native',
  ];
  const child = spawnSync(process.execPath, args, {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, ...options.env },
    timeout: 600_000,
  });
  const line = child.stdout?.trim().split('\n').at(-1) ?? '';
  if (child.status !== 0 || !line.startsWith('{'))
    return { error: `failed (${child.status}): ${child.stderr?.trim().split('\n').at(-1)}` };
  return JSON.parse(line);
}
