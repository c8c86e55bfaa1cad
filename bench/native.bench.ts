// Native sgemm through @lmkit/tfjs-native against TensorFlow.js's own BatchMatMul kernels:
// GFLOP/s on a square product and on the batched / transposed shapes a GPT training step runs.
// Also exports the backend set-up the training bench (native-train.bench.ts) shares.
import { createRequire } from 'node:module';
import * as gptModel from '@lmkit/gpt-model';
import {
  installNativeKernels,
  nativeKernelNames,
  nativeStatus,
} from '../packages/tfjs-native/src/index.ts';
import { bench, type Contender } from './harness.ts';

// bench/ does not depend on tfjs directly: load the one copy the workspace packages share.
export type Tf =
  typeof import('../packages/tfjs-native/node_modules/@tensorflow/tfjs-core/dist/index.js');
type KernelConfig = ReturnType<Tf['getKernel']> & object;
const requireFromNative = createRequire(
  new URL('../packages/tfjs-native/package.json', import.meta.url),
);
export const tf = requireFromNative('@tensorflow/tfjs-core') as Tf;

type Kernels = Map<string, KernelConfig | undefined>;

/** Kernel variants we can switch between, by contender name: a backend and its kernel set. */
export interface Variants {
  backends: Map<string, { backend: 'wasm' | 'cpu'; kernels: Kernels }>;
  native: boolean;
  nativeNote: string;
}

let prepared: Variants | undefined;

function snapshot(backend: string): Kernels {
  return new Map(nativeKernelNames.map((name) => [name, tf.getKernel(name, backend)]));
}

/**
 * Sets up wasm (stock; gpt-model's fixes; native sgemm only; all native kernels) and cpu (all
 * native kernels) and records each variant's kernels.
 */
export async function prepareVariants(): Promise<Variants> {
  if (prepared) return prepared;
  const backends = new Map<string, { backend: 'wasm' | 'cpu'; kernels: Kernels }>();
  requireFromNative('@tensorflow/tfjs-backend-wasm');
  requireFromNative('@tensorflow/tfjs-backend-cpu');
  const stock = snapshot('wasm');
  backends.set('wasm stock', { backend: 'wasm', kernels: stock });
  await gptModel.setBackend('wasm');
  const fixed = snapshot('wasm');
  if ([...fixed].some(([name, k]) => stock.get(name) !== k))
    backends.set('wasm + gpt-model fixes', { backend: 'wasm', kernels: fixed });
  const status = nativeStatus();
  const sgemm = await installNativeKernels({ backend: 'wasm', kernels: ['BatchMatMul'] });
  if (sgemm.installed) {
    backends.set('wasm + native sgemm', { backend: 'wasm', kernels: snapshot('wasm') });
    await installNativeKernels({ backend: 'wasm' });
    backends.set('wasm + native (all)', { backend: 'wasm', kernels: snapshot('wasm') });
  }
  await gptModel.setBackend('cpu');
  const cpuNative = await installNativeKernels({ backend: 'cpu' });
  if (cpuNative.installed)
    backends.set('cpu + native (all)', { backend: 'cpu', kernels: snapshot('cpu') });
  const nativeNote = status.available
    ? `native: OpenBLAS ${status.blas?.core}, ${sgemm.threads} threads`
    : `native kernels unavailable: ${status.reason}`;
  prepared = { backends, native: sgemm.installed, nativeNote };
  return prepared;
}

/** Makes `name`'s backend current and its kernels the registered ones (not timed). */
export function useVariant(variants: Variants, name: string): void {
  const { backend, kernels } = variants.backends.get(name)!;
  if (tf.getBackend() !== backend) void tf.setBackend(backend); // initialised already: switches synchronously
  for (const [kernelName, kernel] of kernels) {
    const current = tf.getKernel(kernelName, backend);
    if (current === kernel) continue;
    if (current) tf.unregisterKernel(kernelName, backend);
    if (kernel) tf.registerKernel(kernel);
  }
}

/** Tensors are made once per backend so no contender pays for moving data between backends. */
function onEachBackend(variants: Variants, make: () => unknown[]): Map<string, unknown[]> {
  const byBackend = new Map<string, unknown[]>();
  for (const { backend } of variants.backends.values()) {
    if (byBackend.has(backend)) continue;
    void tf.setBackend(backend);
    byBackend.set(backend, make());
  }
  return byBackend;
}

interface Shape {
  title: string;
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
}

const shapes: Shape[] = [
  {
    title: '1024² · 1024²',
    a: [1024, 1024],
    b: [1024, 1024],
    transposeA: false,
    transposeB: false,
  },
  {
    title: 'attention scores (a): [8,4,128,32] · [8,4,128,32]ᵀ',
    a: [8, 4, 128, 32],
    b: [8, 4, 128, 32],
    transposeA: false,
    transposeB: true,
  },
  {
    title: 'attention scores (b): [4,6,256,64] · [4,6,256,64]ᵀ',
    a: [4, 6, 256, 64],
    b: [4, 6, 256, 64],
    transposeA: false,
    transposeB: true,
  },
  {
    title: 'weight gradient (b): xᵀ·dy, [1024,384]ᵀ · [1024,1536]',
    a: [1024, 384],
    b: [1024, 1536],
    transposeA: true,
    transposeB: false,
  },
  {
    title: 'tied LM head (a): [1024,128] · [4096,128]ᵀ',
    a: [1024, 128],
    b: [4096, 128],
    transposeA: false,
    transposeB: true,
  },
];

export async function run() {
  const variants = await prepareVariants();
  console.log(`\n${variants.nativeNote}`);
  for (const shape of shapes) {
    const inputs = onEachBackend(variants, () => [
      tf.randomUniform(shape.a, -1, 1, 'float32', 1),
      tf.randomUniform(shape.b, -1, 1, 'float32', 2),
    ]);
    const m = shape.transposeA ? shape.a.at(-1)! : shape.a.at(-2)!;
    const k = shape.transposeA ? shape.a.at(-2)! : shape.a.at(-1)!;
    const n = shape.transposeB ? shape.b.at(-2)! : shape.b.at(-1)!;
    const batch = shape.a.slice(0, -2).reduce((p, d) => p * d, 1);
    const contenders: Contender[] = [...variants.backends.entries()].map(([name, { backend }]) => {
      const [a, b] = inputs.get(backend) as [
        ReturnType<Tf['randomUniform']>,
        ReturnType<Tf['randomUniform']>,
      ];
      return {
        name,
        before: () => useVariant(variants, name),
        run: () => tf.matMul(a, b, shape.transposeA, shape.transposeB).dispose(),
      };
    });
    bench({
      title: `sgemm ${shape.title}`,
      contenders,
      baseline: 'wasm stock',
      rounds: 5,
      units: { amount: (2 * batch * m * n * k) / 1e9, label: 'GFLOP' },
    });
    for (const tensors of inputs.values())
      for (const t of tensors) (t as { dispose(): void }).dispose();
  }
}
