// Test backend: the cpu backend through gpt-model's setBackend, so @lmkit/tfjs-native's kernels
// (the fused AdamW among them) are installed when their addon is built, and are not when the
// environment sets LMKIT_NATIVE_KERNELS=0; the trainer's tests then cover both update paths.
import { nativeKernelStatus, setBackend } from '@lmkit/gpt-model';

/** Sets the cpu backend; returns whether native kernels were installed on it. */
export async function useTestBackend(): Promise<boolean> {
  await setBackend('cpu');
  return nativeKernelStatus('cpu').installed;
}
