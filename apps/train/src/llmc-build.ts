// Builds llm.c's trainers from a folder the user names (a clone of karpathy/llm.c): the CUDA
// trainer with its own Makefile where nvcc is on PATH, else the CPU reference trainer with gcc.
// The binaries are copied into `outDir`; nothing of llm.c is kept in this repository.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TrainerConfigError } from '@lmkit/trainer';

const run = promisify(execFile);

export type LlmcTarget = 'cpu' | 'cuda';

async function onPath(command: string): Promise<boolean> {
  return run('sh', ['-c', `command -v ${command}`]).then(
    () => true,
    () => false,
  );
}

/** `cuda` when nvcc is on PATH, else `cpu`. */
export async function defaultLlmcTarget(): Promise<LlmcTarget> {
  return (await onPath('nvcc')) ? 'cuda' : 'cpu';
}

/** Compiles llm.c's trainer for `target` from `source`; returns the binary's path in `outDir`. */
export async function buildLlmc(options: {
  source: string;
  outDir: string;
  target: LlmcTarget;
}): Promise<string> {
  const { source, outDir, target } = options;
  const file = target === 'cuda' ? 'train_gpt2.cu' : 'train_gpt2.c';
  if (!existsSync(join(source, file)))
    throw new TrainerConfigError(
      `${join(source, file)} does not exist; --build takes a clone of https://github.com/karpathy/llm.c`,
    );
  mkdirSync(outDir, { recursive: true });
  if (target === 'cpu') {
    const binary = join(outDir, 'train_gpt2');
    // The trainer includes "llmc/*.h" next to its source, so it compiles from any folder.
    await run('gcc', ['-O3', '-fopenmp', '-o', binary, join(source, file), '-lm'], {
      maxBuffer: 16 * 2 ** 20,
    }).catch((error: Error & { stderr?: string }) => {
      throw new TrainerConfigError(
        `gcc could not build llm.c's CPU trainer (needs gcc with OpenMP: apt-get install build-essential): ${error.stderr?.trim().split('\n').slice(-3).join(' ') ?? error.message}`,
      );
    });
    return binary;
  }
  // llm.c's Makefile finds cuDNN, MPI and NCCL itself and builds in its own folder.
  await run('make', ['-C', source, 'train_gpt2cu'], { maxBuffer: 64 * 2 ** 20 }).catch(
    (error: Error & { stderr?: string }) => {
      throw new TrainerConfigError(
        `make train_gpt2cu failed in ${source}: ${error.stderr?.trim().split('\n').slice(-3).join(' ') ?? error.message}`,
      );
    },
  );
  const binary = join(outDir, 'train_gpt2cu');
  copyFileSync(join(source, 'train_gpt2cu'), binary);
  return binary;
}
