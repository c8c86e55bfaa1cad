// Backend set-up for every command: gpt-model's backend choice, then, with --native, the kernels of
// @lmkit/tfjs-native when its addon was built. The native kernels must pass a small self-check
// against known answers, else the run stops with advice (they are opt-in while that package settles).
import { setBackend } from '@lmkit/gpt-model';
import { installNativeKernels, uninstallNativeKernels } from '@lmkit/tfjs-native';
import { TrainerConfigError } from '@lmkit/trainer';
import * as tf from '@tensorflow/tfjs-core';

/** Known answers: full and axis sums, a matmul with transposes, an exp; true when all hold. */
export function kernelsAgree(): boolean {
  return tf.tidy(() => {
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const total = tf.sum(x);
    const columns = tf.sum(x, 0);
    const product = tf.matMul(x, x, false, true); // (2, 2): [[14, 32], [32, 77]]
    const exp = tf.exp(tf.scalar(1));
    const close = (a: ArrayLike<number>, b: number[]) =>
      a.length === b.length &&
      b.every((v, i) => Math.abs(a[i] - v) < 1e-4 * Math.max(1, Math.abs(v)));
    return (
      total.shape.length === 0 &&
      close(total.dataSync(), [21]) &&
      close(columns.dataSync(), [5, 7, 9]) &&
      close(product.dataSync(), [14, 32, 32, 77]) &&
      close(exp.dataSync(), [Math.E])
    );
  });
}

/** Sets the backend; returns a one-line description for the log. */
export async function setUpBackend(options: {
  backend?: string;
  native?: boolean;
}): Promise<string> {
  const name = await setBackend((options.backend ?? 'auto') as 'auto');
  if (options.native !== true) return `backend ${name}`;
  const native = await installNativeKernels({ quiet: true });
  if (!native.installed) return `backend ${name} (native kernels not built: ${native.reason})`;
  if (!kernelsAgree()) {
    uninstallNativeKernels();
    throw new TrainerConfigError(
      `the native kernels (${native.kernels.join(', ')}) gave wrong answers on a known sum/matmul/exp check; run without --native`,
    );
  }
  return `backend ${name} + native ${native.kernels.join(', ')} (${native.threads} threads)`;
}
