// Backend selection at run time: native TensorFlow (tfjs-node-gpu, then tfjs-node) only when its
// addon file exists, else the wasm backend, else the pure-JS cpu backend; then the gradients and
// the kernel families (./families.ts) for the chosen backend. Nothing registers at import time:
// `setBackend` does all of it.
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { GPTModelError } from '../errors.ts';
import {
  configureKernelFamilies,
  type FamilyStatus,
  familyStatus,
  familyStatuses,
} from './families.ts';
import { registerGradients } from './gradients.ts';
import {
  probeWebGpu,
  useWebGpu,
  type WebGpuAdapterStatus,
  webGpuStatus,
} from './webgpu/adapter.ts';

/** 'auto' tries a hardware WebGPU adapter first; 'webgpu' by name also accepts a software one. */
export type BackendPreference = 'auto' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';

const nativePackages = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;
const require = createRequire(import.meta.url);

/** Resolves from this package, then from the application (pnpm keeps an app's deps to itself). */
function resolvePackageRoot(name: string, appDir: string): string | undefined {
  const fromApp = createRequire(join(appDir, 'package.json'));
  for (const resolver of [require, fromApp]) {
    try {
      return dirname(resolver.resolve(`${name}/package.json`));
    } catch {}
  }
  return undefined;
}

/**
 * The first installed native TensorFlow.js package (tfjs-node-gpu, then tfjs-node) whose addon
 * file exists, as a path to import; looked up from this package and from `appDir`.
 */
export function findNativeTensorflow(appDir = process.cwd()): string | undefined {
  for (const name of nativePackages) {
    const root = resolvePackageRoot(name, appDir);
    if (!root) continue;
    const lib = join(root, 'lib');
    if (!existsSync(lib)) continue;
    const hasAddon = readdirSync(lib).some(
      (entry) => entry.startsWith('napi-v') && existsSync(join(lib, entry, 'tfjs_binding.node')),
    );
    if (hasAddon) return createRequire(join(root, 'package.json')).resolve(name);
  }
  return undefined;
}

async function useTensorflow(): Promise<boolean> {
  const name = findNativeTensorflow();
  if (!name) return false;
  await import(pathToFileURL(name).href);
  return tf.setBackend('tensorflow');
}

async function useWasm(): Promise<boolean> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (!tf.findBackendFactory('wasm')) throw new GPTModelError('wasm backend did not register');
  // Node loads the .wasm files from disk: point the loader at the package's dist folder.
  wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
  return tf.setBackend('wasm');
}

async function useCpu(): Promise<boolean> {
  await import('@tensorflow/tfjs-backend-cpu');
  return tf.setBackend('cpu');
}

/**
 * `auto`'s first try: WebGPU on a hardware adapter. A software adapter (lavapipe, SwiftShader) is
 * slower than the CPU backends, so `auto` passes it over; 'webgpu' asked for by name still uses it.
 * Returns '' when WebGPU is in use, else the one-line reason it is not.
 */
async function useHardwareWebGpu(): Promise<string> {
  const probe = await probeWebGpu();
  if (!probe.ok) return `no WebGPU (${probe.reason})`;
  if (probe.adapter.software)
    return `the WebGPU adapter is software (${probe.adapter.description || probe.adapter.device}), slower than the CPU; pass backend 'webgpu' to use it anyway`;
  await useWebGpu();
  return '';
}

let lastReason = '';

export interface SetBackendOptions {
  /**
   * Install the optional kernel families (@lmkit/tfjs-native's kernels on wasm and cpu) when
   * their package and addon are installed. Default true, unless the environment sets
   * LMKIT_NATIVE_KERNELS=0. This package's stock-kernel fixes are always installed.
   */
  nativeKernels?: boolean;
}

/**
 * Selects the TensorFlow.js backend, registers every gradient and installs the kernel families
 * that serve it. `auto` prefers a hardware WebGPU adapter, then native TensorFlow when its addon
 * is installed, then wasm, then cpu; `backendStatus().reason` says in one line why it chose what it
 * did. On wasm and cpu, @lmkit/tfjs-native's kernels are installed on top of this package's
 * fixes when available (see `backendStatus`).
 * Returns the name in use. An explicit preference that cannot be met throws a GPTModelError
 * naming the fix.
 */
export async function setBackend(
  preference: BackendPreference = 'auto',
  options: SetBackendOptions = {},
): Promise<string> {
  registerGradients();
  let reason = `asked for '${preference}'`;
  if (preference === 'webgpu') {
    const adapter = await useWebGpu(); // throws naming the adapter problem and its fix
    if (adapter.software) reason += ' (a software adapter: correct but slower than the CPU)';
  } else if (preference === 'tensorflow') {
    if (!(await useTensorflow()))
      throw new GPTModelError(
        'backend "tensorflow" requested but no native TensorFlow.js addon is installed; run `pnpm add @tensorflow/tfjs-node-gpu` (CUDA) or `pnpm add @tensorflow/tfjs-node`, or use "wasm"',
      );
  } else if (preference === 'wasm') {
    if (!(await useWasm())) throw new GPTModelError('the wasm backend failed to initialise');
  } else if (preference === 'cpu') {
    await useCpu();
  } else if (preference === 'auto') {
    const noGpu = await useHardwareWebGpu().catch(
      (error: Error) => `WebGPU failed to start (${error.message})`,
    );
    const ok =
      noGpu === '' ||
      (await useTensorflow().catch(() => false)) ||
      (await useWasm().catch(() => false)) ||
      (await useCpu());
    if (!ok) throw new GPTModelError('no TensorFlow.js backend could be initialised');
    reason = noGpu === '' ? 'auto: a hardware WebGPU adapter' : `auto, not WebGPU: ${noGpu}`;
  } else {
    throw new GPTModelError(
      `unknown backend "${preference as string}"; use 'auto', 'webgpu', 'tensorflow', 'wasm' or 'cpu'`,
    );
  }
  await tf.ready();
  const backend = tf.getBackend();
  lastReason = reason;
  const wanted = options.nativeKernels ?? process.env.LMKIT_NATIVE_KERNELS !== '0';
  await configureKernelFamilies(backend, wanted);
  return backend;
}

export interface BackendStatus {
  /** The active TensorFlow.js backend ('wasm', 'cpu', 'tensorflow', 'webgpu'), if any. */
  backend: string | undefined;
  /** Why the last `setBackend` chose it, in one line (e.g. why `auto` did not pick WebGPU). */
  reason: string;
  /** On webgpu: the adapter (vendor, software or not) and the buffer limits a model must fit. */
  adapter?: WebGpuAdapterStatus;
  /** Each kernel family seen on that backend: installed or not, and why not. */
  families: FamilyStatus[];
}

/** The active backend and what each kernel family did on it at the last `setBackend`. */
export function backendStatus(): BackendStatus {
  let backend: string | undefined;
  try {
    backend = tf.getBackend() ?? undefined;
  } catch {
    backend = undefined; // no backend registered yet
  }
  const adapter = webGpuStatus();
  return {
    backend,
    reason: lastReason,
    ...(adapter ? { adapter } : {}),
    families: backend ? familyStatuses(backend) : [],
  };
}

/** @lmkit/tfjs-native's status on `backend` (kept for callers of the older API). */
export type NativeKernelStatus = Omit<FamilyStatus, 'name'>;

/** What happened to @lmkit/tfjs-native's kernels on `backend` at the last `setBackend`. */
export function nativeKernelStatus(backend: string): NativeKernelStatus {
  const { name: _name, ...status } = familyStatus(backend, 'tfjs-native');
  return status;
}
