// Native sgemm through @lmkit/tfjs-native against TensorFlow.js's own BatchMatMul kernels:
// GFLOP/s on a square product and on the batched / transposed shapes a GPT training step runs.
// Also exports the backend set-up the training bench (native-train.bench.ts) shares.
import { createRequire, register } from 'node:module';
import * as gptModel from '@lmkit/gpt-model';
import { gelu, installKernelFamily, layerNorm } from '@lmkit/gpt-model/runtime';
import {
  createNativeKernelFamily,
  defaultThreads,
  nativeKernelFamily,
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
  // gpt-model installs the native kernels itself by default: keep them off for this variant.
  await gptModel.setBackend('wasm', { nativeKernels: false });
  const fixed = snapshot('wasm');
  if ([...fixed].some(([name, k]) => stock.get(name) !== k))
    backends.set('wasm + gpt-model fixes', { backend: 'wasm', kernels: fixed });
  const status = nativeStatus();
  const sgemmOnly = createNativeKernelFamily({ kernels: ['BatchMatMul'] });
  const sgemm = await installKernelFamily(sgemmOnly, 'wasm');
  if (sgemm.installed) {
    backends.set('wasm + native sgemm', { backend: 'wasm', kernels: snapshot('wasm') });
    await installKernelFamily(nativeKernelFamily, 'wasm');
    backends.set('wasm + native (all)', { backend: 'wasm', kernels: snapshot('wasm') });
  }
  await gptModel.setBackend('cpu', { nativeKernels: false });
  const cpuNative = await installKernelFamily(nativeKernelFamily, 'cpu');
  if (cpuNative.installed)
    backends.set('cpu + native (all)', { backend: 'cpu', kernels: snapshot('cpu') });
  const nativeNote = status.available
    ? `native: OpenBLAS ${status.blas?.core}, ${defaultThreads()} threads`
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
  await runElementwise(variants);
}

interface ElementwiseCase {
  title: string;
  elements: number;
  make: () => unknown[];
  run: (inputs: unknown[]) => T;
}

type T = ReturnType<Tf['randomUniform']>;
const geluByOps = (x: T) => {
  const inner = tf.mul(
    tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), 0.044715)),
    Math.sqrt(2 / Math.PI),
  );
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
};
const elementwiseCases: ElementwiseCase[] = [
  {
    title: 'Exp [1024, 4096]',
    elements: 1024 * 4096,
    make: () => [tf.randomUniform([1024, 4096], -5, 5, 'float32', 3)],
    run: ([x]) => tf.exp(x as T),
  },
  {
    title: 'Tanh [1024, 1536]',
    elements: 1024 * 1536,
    make: () => [tf.randomUniform([1024, 1536], -5, 5, 'float32', 4)],
    run: ([x]) => tf.tanh(x as T),
  },
  {
    title: 'Add [1024, 384] + bias [384]',
    elements: 1024 * 384,
    make: () => [
      tf.randomUniform([1024, 384], -1, 1, 'float32', 5),
      tf.randomUniform([384], -1, 1, 'float32', 6),
    ],
    run: ([x, b]) => tf.add(x as T, b as T),
  },
  {
    title: 'Sum [1024, 4096] over the last axis',
    elements: 1024 * 4096,
    make: () => [tf.randomUniform([1024, 4096], -1, 1, 'float32', 7)],
    run: ([x]) => tf.sum(x as T, -1),
  },
  {
    title: 'Equal [1024, 4096] vs row max [1024, 1]',
    elements: 1024 * 4096,
    make: () => {
      const x = tf.randomUniform([1024, 4096], -1, 1, 'float32', 8);
      return [x, tf.max(x, -1, true)];
    },
    run: ([x, m]) => tf.equal(x as T, m as T),
  },
];

/**
 * tfjs-core's Node bundle registers no gradients (the @tensorflow/tfjs union package does).
 * When nothing registered them, load tfjs-core's own ESM gradient files, whose extensionless
 * relative imports need a small resolve hook under Node.
 */
export async function ensureGradients(needed: readonly string[]) {
  if (needed.every((name) => tf.getGradient(name))) return;
  const hook = `export async function resolve(s, c, next) {
    try { return await next(s, c); } catch (e) {
      if (c.parentURL?.includes('/tfjs-core/dist/') && s.startsWith('.')) {
        for (const x of ['.js', '/index.js']) { try { return await next(s + x, c); } catch {} }
      }
      throw e;
    }
  }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
  const fromNative = createRequire(
    new URL('../packages/tfjs-native/package.json', import.meta.url),
  );
  await import(fromNative.resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js'));
  console.log('(gradients were not registered: loaded tfjs-core/dist/register_all_gradients.js)');
}

/** Stock wasm vs the native kernels on the elementwise ops a GPT step runs most. */
async function runElementwise(variants: Variants) {
  await ensureGradients(['Multiply', 'Add', 'Tanh', 'Sum']);
  const names = ['wasm + gpt-model fixes', 'wasm + native (all)'].filter((n) =>
    variants.backends.has(n),
  );
  if (names.length < 2) return;
  useVariant(variants, names[0]);
  for (const c of elementwiseCases) {
    const inputs = c.make();
    bench({
      title: `elementwise ${c.title}`,
      contenders: names.map((name) => ({
        name,
        before: () => useVariant(variants, name),
        run: () => tf.dispose(c.run(inputs)),
      })),
      baseline: names[0],
      rounds: 7,
      units: { amount: c.elements / 1e6, label: 'M elements' },
    });
    tf.dispose(inputs as T[]);
  }
  // GELU forward + backward: gpt-model's formula from tfjs ops vs the fused native op.
  const x = tf.randomUniform([1024, 1536], -4, 4, 'float32', 9);
  const dy = tf.randomUniform([1024, 1536], -1, 1, 'float32', 10);
  const step = (f: (v: T) => T) => () => tf.dispose(tf.grad((v: T) => tf.sum(tf.mul(f(v), dy)))(x));
  bench({
    title: 'GELU forward + backward [1024, 1536] (wasm)',
    contenders: [
      {
        name: 'tfjs ops, stock kernels',
        before: () => useVariant(variants, names[0]),
        run: step(geluByOps),
      },
      {
        name: 'tfjs ops, native kernels',
        before: () => useVariant(variants, names[1]),
        run: step(geluByOps),
      },
      {
        name: 'fused native gelu',
        before: () => useVariant(variants, names[1]),
        run: step((v) => gelu(v as never) as T),
      },
    ],
    baseline: 'tfjs ops, stock kernels',
    rounds: 7,
    units: { amount: (1024 * 1536) / 1e6, label: 'M elements' },
  });
  tf.dispose([x, dy]);
  // LayerNorm forward + backward (x, gamma, beta): the tfjs-op formula vs the fused native op.
  const h = tf.randomUniform([1024, 384], -2, 2, 'float32', 11);
  const gamma = tf.randomUniform([384], 0.5, 1.5, 'float32', 12);
  const beta = tf.randomUniform([384], -1, 1, 'float32', 13);
  const dh = tf.randomUniform([1024, 384], -1, 1, 'float32', 14);
  const byOps = (v: T, g: T, b: T) => {
    const mean = tf.mean(v, -1, true);
    const centred = tf.sub(v, mean);
    const variance = tf.mean(tf.mul(centred, centred), -1, true);
    return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, 1e-5))), g), b);
  };
  const lnStep = (f: (v: T, g: T, b: T) => T) => () =>
    tf.dispose(tf.grads((v: T, g: T, b: T) => tf.sum(tf.mul(f(v, g, b), dh)))([h, gamma, beta]));
  await ensureGradients(['Mean', 'Sub', 'Rsqrt', 'Multiply', 'Add', 'Sum']);
  bench({
    title: 'LayerNorm forward + backward [1024, 384] (wasm)',
    contenders: [
      {
        name: 'tfjs ops, stock kernels',
        before: () => useVariant(variants, names[0]),
        run: lnStep(byOps),
      },
      {
        name: 'tfjs ops, native kernels',
        before: () => useVariant(variants, names[1]),
        run: lnStep(byOps),
      },
      {
        name: 'fused native layerNorm',
        before: () => useVariant(variants, names[1]),
        run: lnStep((v, g, b) => layerNorm(v as never, g as never, b as never) as T),
      },
    ],
    baseline: 'tfjs ops, stock kernels',
    rounds: 7,
    units: { amount: (1024 * 384) / 1e6, label: 'M elements' },
  });
  tf.dispose([h, gamma, beta, dh]);
}
