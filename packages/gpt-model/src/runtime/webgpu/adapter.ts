// WebGPU for TensorFlow.js, the GPU path: in a browser `navigator.gpu` is there already; in Node the
// optional `webgpu` package (Dawn, prebuilt inside the npm package) provides it over Vulkan, Metal or
// D3D12. This file finds an adapter, describes it (vendor, software or not, the buffer limits that
// decide whether a model fits) and registers tfjs's webgpu backend. It does not choose between
// backends: setBackend does, and asks `probeWebGpu` first.
import * as tf from '@tensorflow/tfjs-core';
import { GPTModelError } from '../../errors.ts';

/** The adapter WebGPU runs on, and the limits that decide whether a model fits. */
export interface WebGpuAdapterStatus {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /**
   * A software implementation (Mesa's lavapipe, SwiftShader, WARP): it runs the same shaders as a
   * GPU, so results are right, but it is slower than the CPU backends.
   */
  software: boolean;
  /** Largest single buffer in bytes: no tensor may be bigger. */
  maxBufferSize: number;
  /** Largest storage buffer one shader may bind in bytes (tfjs binds every operand this way). */
  maxStorageBufferBindingSize: number;
}

export type WebGpuProbe =
  | { ok: true; adapter: WebGpuAdapterStatus }
  | { ok: false; reason: string };

const INSTALL_HINT =
  'on Linux without a GPU driver, install Mesa 25 or newer (Debian 12: `apt-get install -t bookworm-backports mesa-vulkan-drivers`); with a GPU, install its Vulkan driver';

interface AdapterLike {
  info?: Partial<Record<'vendor' | 'architecture' | 'device' | 'description', string>> & {
    isFallbackAdapter?: boolean;
  };
  isFallbackAdapter?: boolean;
  limits: { maxBufferSize: number; maxStorageBufferBindingSize: number };
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<AdapterLike | null>;
}

let cached: WebGpuProbe | undefined;
let active: WebGpuAdapterStatus | undefined;

function navigatorGpu(): GpuLike | undefined {
  return (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
}

/** In Node, installs Dawn's `navigator.gpu` from the optional `webgpu` package. */
async function provideNodeGpu(): Promise<string | undefined> {
  if (navigatorGpu()) return undefined;
  if (typeof process === 'undefined' || !process.versions?.node)
    return 'this browser has no navigator.gpu; use a browser with WebGPU enabled (Chrome/Edge 113+, or --enable-unsafe-webgpu)';
  let dawn: { create(flags: string[]): GpuLike; globals: Record<string, unknown> };
  try {
    // A variable specifier: `webgpu` is optional, so neither tsc nor a bundler may require it.
    const specifier = 'webgpu';
    dawn = (await import(/* @vite-ignore */ specifier)) as typeof dawn;
  } catch (error) {
    return `the optional package \`webgpu\` (Dawn for Node) could not be loaded (${(error as Error).message.split('\n')[0]}); run \`pnpm add webgpu\``;
  }
  // Dawn wants a writable runtime folder on Linux and complains on every call without one.
  if (process.platform === 'linux' && !process.env.XDG_RUNTIME_DIR) {
    // Imported here, not at the top, so this module also loads in a browser bundle.
    const [{ mkdtempSync }, { tmpdir }, { join }] = await Promise.all([
      import('node:fs'),
      import('node:os'),
      import('node:path'),
    ]);
    process.env.XDG_RUNTIME_DIR = mkdtempSync(join(tmpdir(), 'lmkit-xdg-'));
  }
  const gpu = dawn.create([]);
  Object.assign(globalThis, dawn.globals);
  const current = (globalThis as { navigator?: object }).navigator;
  if (current) Object.defineProperty(current, 'gpu', { value: gpu, configurable: true });
  else
    Object.defineProperty(globalThis, 'navigator', {
      value: { gpu },
      configurable: true,
      writable: true,
    });
  return undefined;
}

function describeAdapter(adapter: AdapterLike): WebGpuAdapterStatus {
  const info = adapter.info ?? {};
  const description = info.description ?? '';
  const software =
    info.isFallbackAdapter === true ||
    adapter.isFallbackAdapter === true ||
    info.architecture === 'software' ||
    /llvmpipe|lavapipe|swiftshader|warp|software/i.test(`${description} ${info.device ?? ''}`);
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description,
    software,
    maxBufferSize: adapter.limits.maxBufferSize,
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
  };
}

/**
 * Looks for a WebGPU adapter (once per process) without registering anything with TensorFlow.js.
 * `{ ok: false, reason }` says what is missing and how to get it.
 */
export async function probeWebGpu(): Promise<WebGpuProbe> {
  if (cached) return cached;
  const missing = await provideNodeGpu();
  if (missing) {
    cached = { ok: false, reason: missing };
    return cached;
  }
  let adapter: AdapterLike | null = null;
  try {
    adapter =
      (await navigatorGpu()?.requestAdapter({ powerPreference: 'high-performance' })) ?? null;
  } catch (error) {
    cached = {
      ok: false,
      reason: `requesting a WebGPU adapter failed (${(error as Error).message}); ${INSTALL_HINT}`,
    };
    return cached;
  }
  cached = adapter
    ? { ok: true, adapter: describeAdapter(adapter) }
    : { ok: false, reason: `WebGPU found no adapter; ${INSTALL_HINT}` };
  return cached;
}

/**
 * Registers and selects tfjs's webgpu backend; throws a GPTModelError naming the adapter problem
 * and its fix when there is none. Returns the adapter in use.
 */
export async function useWebGpu(): Promise<WebGpuAdapterStatus> {
  const probe = await probeWebGpu();
  if (!probe.ok) throw new GPTModelError(`backend "webgpu" is not available: ${probe.reason}`);
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu')))
    throw new GPTModelError(
      `backend "webgpu" failed to initialise on ${probe.adapter.description || probe.adapter.vendor}; ${INSTALL_HINT}`,
    );
  active = probe.adapter;
  return probe.adapter;
}

/** The adapter of the webgpu backend in use, or undefined when another backend runs. */
export function webGpuStatus(): WebGpuAdapterStatus | undefined {
  return tf.getBackend() === 'webgpu' ? active : undefined;
}

/**
 * Throws when a tensor of `bytes` cannot live in one WebGPU buffer binding on `adapter`, naming the
 * tensor, both sizes and what to change.
 */
export function assertFitsWebGpu(
  adapter: WebGpuAdapterStatus,
  tensors: { name: string; bytes: number }[],
): void {
  const limit = Math.min(adapter.maxBufferSize, adapter.maxStorageBufferBindingSize);
  for (const { name, bytes } of tensors) {
    if (bytes > limit)
      throw new GPTModelError(
        `${name} needs ${(bytes / 2 ** 20).toFixed(1)} MiB in one buffer, over this WebGPU adapter's limit of ${(limit / 2 ** 20).toFixed(1)} MiB (maxStorageBufferBindingSize); lower the batch size or sequence length, or use the cpu backend`,
      );
  }
}
