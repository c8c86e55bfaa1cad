// Backend set-up for every command. gpt-model picks the backend and, on wasm and cpu, installs
// @lmkit/tfjs-native's kernels when their addon was built (its reference test covers that path).
// `--native` insists on them (an error when missing); `--no-native` turns them off.
import {
  type GPTConfig,
  nativeKernelStatus,
  setBackend,
  wasmHeapLimitBytes,
} from '@lmkit/gpt-model';
import { defaultTrainingConfig, estimateStepMemoryBytes, TrainerConfigError } from '@lmkit/trainer';

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

/**
 * With no backend asked for, the cpu backend for a training step too big for the wasm heap (the
 * cpu backend holds tensors in JS memory, and the native kernels run there too); else undefined.
 */
function backendForTraining(
  backend: string | undefined,
  training: { model: GPTConfig; batchSize?: number; sequenceLength?: number } | undefined,
): { backend: 'cpu'; note: string } | undefined {
  if (!training || (backend !== undefined && backend !== 'auto')) return undefined;
  const bytes = estimateStepMemoryBytes({
    config: training.model,
    batchSize: training.batchSize ?? defaultTrainingConfig.batchSize!,
    sequenceLength:
      training.sequenceLength ??
      Math.min(defaultTrainingConfig.sequenceLength!, training.model.blockSize),
  });
  if (bytes <= wasmHeapLimitBytes) return undefined;
  return {
    backend: 'cpu',
    note: `chosen for memory: a training step needs about ${gib(bytes)}, over the wasm heap's ${gib(wasmHeapLimitBytes)}`,
  };
}

/** Sets the backend; returns a one-line description for the log. */
export async function setUpBackend(options: {
  backend?: string;
  /** true: require native kernels; false: turn them off; undefined: use them when built. */
  native?: boolean;
  /** The step a training command will run: with no backend given, one too big for wasm gets cpu. */
  trainingStep?: { model: GPTConfig; batchSize?: number; sequenceLength?: number };
}): Promise<string> {
  const chosen = backendForTraining(options.backend, options.trainingStep);
  const name = await setBackend((chosen?.backend ?? options.backend ?? 'auto') as 'auto', {
    nativeKernels: options.native,
  });
  const why = chosen ? ` (${chosen.note})` : '';
  const status = nativeKernelStatus(name);
  if (status.installed)
    return `backend ${name}${why} + native kernels (${status.kernels.join(', ')})`;
  if (options.native === true) {
    throw new TrainerConfigError(
      `--native: the native kernels are not available on backend ${name} (${status.reason}); install libopenblas-dev and run \`pnpm rebuild @lmkit/tfjs-native\`, or drop --native`,
    );
  }
  return `backend ${name}${why}${status.reason ? ` (no native kernels: ${status.reason})` : ''}`;
}
