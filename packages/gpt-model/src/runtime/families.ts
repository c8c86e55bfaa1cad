// Kernel families: a set of TensorFlow.js kernels (and their gradients) that replaces a backend's
// own, described by one `KernelFamily` and installed by `setBackend` from one list. The model and
// the trainer never name these kernels: they call the ops in ./ops, which use a kernel when it is
// installed and tfjs ops otherwise.
//
// Adding a family (the WebGPU kernels of issue #15, for instance): export a `KernelFamily` from
// its module or package and add one entry to `kernelFamilySources` below. Nothing else changes.
import * as tf from '@tensorflow/tfjs-core';

/**
 * Builds the kernel function to register, given the kernel it replaces (undefined when there was
 * none), so inputs the family does not handle can fall back to the replaced kernel.
 */
export type KernelFactory = (previous: tf.KernelConfig | undefined) => tf.KernelFunc;

/** Whether a family can run on a backend now; `reason` names what is missing and the fix. */
export type FamilyAvailability = { available: true } | { available: false; reason: string };

/**
 * One kernel family. Structural: @lmkit/tfjs-native exports one (`nativeKernelFamily`) without
 * importing this type.
 */
export interface KernelFamily {
  /** Shown in `backendStatus()`: 'stock-fixes', 'tfjs-native', 'webgpu', … */
  readonly name: string;
  /** Backends it serves ('wasm', 'cpu', 'webgpu', …). */
  readonly backend: readonly string[];
  /** Checked before installing on `backend` (addon built, adapter present, backend initialised). */
  available(backend: string): FamilyAvailability | Promise<FamilyAvailability>;
  /** Runs once before each install (thread counts, pipeline caches). */
  setup?(backend: string): void | Promise<void>;
  /** The kernels to register on `backend`, by kernel name. */
  kernels(backend: string): Readonly<Record<string, KernelFactory>>;
  /** Gradients of its kernels; registered once per process, before any of them runs. */
  readonly gradients: readonly tf.GradConfig[];
  /** Always installed (this package's stock-kernel fixes); other families obey `familyKernels`. */
  readonly builtIn?: boolean;
}

/** Where a family comes from: built in, or an optional package loaded on first use. */
export interface KernelFamilySource {
  name: string;
  /** Backends the family serves: it is loaded only when one of them is set up. */
  backend: readonly string[];
  load(): Promise<KernelFamily | undefined>;
}

/**
 * Every family `setBackend` knows, in install order: a later family sits on top of an earlier
 * one and falls back to it. tfjs-native is an optional peer dependency: absent, it is skipped.
 */
export const kernelFamilySources: KernelFamilySource[] = [
  {
    name: 'stock-fixes',
    backend: ['wasm', 'cpu'],
    load: async () => (await import('./stock-fixes.ts')).stockFixesFamily,
  },
  {
    name: 'tfjs-native',
    backend: ['wasm', 'cpu'],
    load: () =>
      import('@lmkit/tfjs-native').then(
        (native) => native.nativeKernelFamily as KernelFamily,
        () => undefined,
      ),
  },
  // Loads tfjs-backend-webgpu: only when the webgpu backend is set up.
  {
    name: 'webgpu',
    backend: ['webgpu'],
    load: async () => (await import('./webgpu/family.ts')).webgpuFamily,
  },
];

export interface FamilyStatus {
  name: string;
  /** Whether its kernels are installed on the backend now. */
  installed: boolean;
  kernels: string[];
  /** Why not, when not installed. */
  reason?: string;
}

/** backend → family name → kernel name → the kernel config it replaced. */
const replaced = new Map<string, Map<string, Map<string, tf.KernelConfig | undefined>>>();
const statuses = new Map<string, Map<string, FamilyStatus>>();
const loaded = new Map<string, Promise<KernelFamily | undefined>>();

function familyRecord(backend: string, family: string): Map<string, tf.KernelConfig | undefined> {
  const byFamily = replaced.get(backend) ?? new Map();
  replaced.set(backend, byFamily);
  const record = byFamily.get(family) ?? new Map();
  byFamily.set(family, record);
  return record;
}

/** Registers each gradient whose kernel has none yet (idempotent). */
export function registerGradientConfigs(configs: readonly tf.GradConfig[]): void {
  for (const config of configs) if (!tf.getGradient(config.kernelName)) tf.registerGradient(config);
}

/**
 * Installs `family` on `backend`, remembering each kernel it replaces. Idempotent: kernels it
 * installed earlier stay (so a later family on top of them is not disturbed).
 */
export async function installKernelFamily(
  family: KernelFamily,
  backend: string,
): Promise<FamilyStatus> {
  let status: FamilyStatus;
  const availability = family.backend.includes(backend)
    ? await family.available(backend)
    : { available: false as const, reason: `it serves ${family.backend.join(', ')} only` };
  if (!availability.available) {
    status = { name: family.name, installed: false, kernels: [], reason: availability.reason };
  } else {
    await family.setup?.(backend);
    registerGradientConfigs(family.gradients);
    const record = familyRecord(backend, family.name);
    for (const [kernelName, factory] of Object.entries(family.kernels(backend))) {
      const current = tf.getKernel(kernelName, backend);
      // Installed before and not put back since (by `unregisterWasmBatchMatMul`, say): keep it.
      if (record.has(kernelName) && current?.kernelFunc !== record.get(kernelName)?.kernelFunc)
        continue;
      const previous = record.has(kernelName) ? record.get(kernelName) : current;
      if (current) tf.unregisterKernel(kernelName, backend);
      // Keep the replaced kernel's setup so a re-initialised backend still prepares its fallback.
      tf.registerKernel({
        kernelName,
        backendName: backend,
        setupFunc: previous?.setupFunc,
        kernelFunc: factory(previous),
      });
      record.set(kernelName, previous);
    }
    status = { name: family.name, installed: true, kernels: [...record.keys()] };
  }
  setStatus(backend, status);
  return status;
}

/** Restores the kernels `family` replaced on `backend`; returns their names. */
export function uninstallKernelFamily(familyName: string, backend: string, reason: string) {
  const record = replaced.get(backend)?.get(familyName);
  const names = [...(record?.keys() ?? [])];
  for (const [kernelName, previous] of record ?? []) {
    if (tf.getKernel(kernelName, backend)) tf.unregisterKernel(kernelName, backend);
    if (previous) tf.registerKernel(previous);
  }
  replaced.get(backend)?.delete(familyName);
  setStatus(backend, { name: familyName, installed: false, kernels: [], reason });
  return names;
}

function setStatus(backend: string, status: FamilyStatus): void {
  const byFamily = statuses.get(backend) ?? new Map<string, FamilyStatus>();
  statuses.set(backend, byFamily);
  byFamily.set(status.name, status);
}

/** Loads a family once (undefined when its optional package is not installed). */
export function loadFamily(source: KernelFamilySource): Promise<KernelFamily | undefined> {
  const family = loaded.get(source.name) ?? source.load();
  loaded.set(source.name, family);
  return family;
}

/**
 * Installs every family of `kernelFamilySources` that serves `backend`; optional families only
 * when `familyKernels` is true (else those installed earlier are removed again).
 */
export async function configureKernelFamilies(
  backend: string,
  familyKernels: boolean,
): Promise<FamilyStatus[]> {
  const result: FamilyStatus[] = [];
  for (const source of kernelFamilySources) {
    if (!source.backend.includes(backend)) continue;
    const family = await loadFamily(source);
    if (!family) {
      const status = {
        name: source.name,
        installed: false,
        kernels: [],
        reason: `@lmkit/${source.name} is not installed`,
      };
      setStatus(backend, status);
      result.push(status);
    } else if (!family.backend.includes(backend)) {
    } else if (!family.builtIn && !familyKernels) {
      uninstallKernelFamily(
        family.name,
        backend,
        'turned off (nativeKernels: false or LMKIT_NATIVE_KERNELS=0)',
      );
      result.push(familyStatus(backend, family.name));
    } else {
      result.push(await installKernelFamily(family, backend));
    }
  }
  return result;
}

/** What happened to `family` on `backend` at the last `setBackend`. */
export function familyStatus(backend: string, family: string): FamilyStatus {
  return (
    statuses.get(backend)?.get(family) ?? {
      name: family,
      installed: false,
      kernels: [],
      reason: 'setBackend has not run for this backend',
    }
  );
}

/** Status of every family seen on `backend`. */
export function familyStatuses(backend: string): FamilyStatus[] {
  return [...(statuses.get(backend)?.values() ?? [])];
}

/** Whether a family installed `kernelName` on the active backend (what the ops check). */
export function hasKernel(kernelName: string): boolean {
  return tf.getKernel(kernelName, tf.getBackend()) !== undefined;
}
