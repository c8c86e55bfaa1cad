// What the native path can do on this machine: whether the addon loaded (and why not), the
// OpenBLAS build and core it dispatched to, and the thread count; plus a thread setter.
import { loadAddon } from './addon.ts';
import { TfjsNativeError } from './errors.ts';

export interface NativeStatus {
  available: boolean;
  reason?: string;
  addonPath: string;
  blas?: { config: string; core: string };
  threads?: number;
}

export function nativeStatus(options: { addonPath?: string } = {}): NativeStatus {
  const loaded = loadAddon(options.addonPath);
  if (!('addon' in loaded))
    return { available: false, reason: loaded.reason, addonPath: loaded.path };
  return {
    available: true,
    addonPath: loaded.path,
    blas: loaded.addon.blasInfo(),
    threads: loaded.addon.getThreads(),
  };
}

/** Pins the native thread count (OpenBLAS and our kernels); throws when the addon is missing. */
export function setNativeThreads(threads: number, options: { addonPath?: string } = {}): void {
  if (!Number.isInteger(threads) || threads < 1 || threads > 1024) {
    throw new TfjsNativeError(`threads must be an integer in [1, 1024], got ${threads}`);
  }
  const loaded = loadAddon(options.addonPath);
  if (!('addon' in loaded)) {
    throw new TfjsNativeError(
      `cannot set native threads: ${loaded.reason}; install libopenblas-dev and rebuild`,
    );
  }
  loaded.addon.setThreads(threads);
}
