// Backend set-up for every command. gpt-model picks the backend and, on wasm and cpu, installs
// @lmkit/tfjs-native's kernels when their addon was built (its reference test covers that path).
// `--native` insists on them (an error when missing); `--no-native` turns them off.
import { nativeKernelStatus, setBackend } from '@lmkit/gpt-model';
import { TrainerConfigError } from '@lmkit/trainer';

/** Sets the backend; returns a one-line description for the log. */
export async function setUpBackend(options: {
  backend?: string;
  /** true: require native kernels; false: turn them off; undefined: use them when built. */
  native?: boolean;
}): Promise<string> {
  const name = await setBackend((options.backend ?? 'auto') as 'auto', {
    nativeKernels: options.native,
  });
  const status = nativeKernelStatus(name);
  if (status.installed) return `backend ${name} + native kernels (${status.kernels.join(', ')})`;
  if (options.native === true) {
    throw new TrainerConfigError(
      `--native: the native kernels are not available on backend ${name} (${status.reason}); install libopenblas-dev and run \`pnpm rebuild @lmkit/tfjs-native\`, or drop --native`,
    );
  }
  return `backend ${name}${status.reason ? ` (no native kernels: ${status.reason})` : ''}`;
}
