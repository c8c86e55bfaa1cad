// Zero-copy Float32Array views of tensor memory for the two backends we accelerate: on `wasm`
// the data lives in the wasm heap (a pointer per tensor), on `cpu` in a JS typed array.
import type { DataId, KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import { util } from '@tensorflow/tfjs-core';
import { TfjsNativeError } from './errors.ts';

export type SupportedBackendName = 'wasm' | 'cpu';

/** The internals of tfjs-backend-wasm 4.x that we rely on (checked by `checkBackend`). */
interface WasmBackendInternals {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: DataId): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32' | 'bool'): TensorInfo;
  incRef(dataId: DataId): void;
}

/** The internals of tfjs-backend-cpu 4.x that we rely on. */
interface CpuBackendInternals {
  data: { get(dataId: DataId): { values?: unknown } | undefined };
  makeTensorInfo(
    shape: number[],
    dtype: 'float32' | 'bool',
    values: Float32Array | Uint8Array,
  ): TensorInfo;
}

/** Memory access for one backend instance: read inputs in place, allocate outputs. */
export interface TensorMemory {
  view(tensor: TensorInfo): Float32Array;
  /** An int32 tensor's values (in place on wasm; the backend's array, or a copy, on cpu). */
  viewInt32(tensor: TensorInfo): Int32Array;
  /** Allocates a float32 output; fill it, then return `info` from the kernel. */
  allocate(shape: number[]): { info: TensorInfo; view: () => Float32Array };
  /** Allocates a bool output (one byte per element). */
  allocateBool(shape: number[]): { info: TensorInfo; view: () => Uint8Array };
}

/** Explains why `backend` lacks the internals we need, or returns undefined when it has them. */
export function checkBackend(
  name: SupportedBackendName,
  backend: KernelBackend,
): string | undefined {
  const b = backend as unknown as Record<string, unknown>;
  if (name === 'wasm') {
    const wasm = b.wasm as { HEAPU8?: unknown } | undefined;
    const ok =
      wasm?.HEAPU8 instanceof Uint8Array &&
      typeof (b.dataIdMap as { get?: unknown })?.get === 'function' &&
      typeof b.makeOutput === 'function';
    return ok
      ? undefined
      : 'the wasm backend does not expose wasm.HEAPU8 / dataIdMap / makeOutput (tfjs-backend-wasm 4.x expected)';
  }
  const ok =
    typeof (b.data as { get?: unknown })?.get === 'function' &&
    typeof b.makeTensorInfo === 'function';
  return ok
    ? undefined
    : 'the cpu backend does not expose data / makeTensorInfo (tfjs-backend-cpu 4.x expected)';
}

function wasmMemory(backend: WasmBackendInternals): TensorMemory {
  const offsetOf = (tensor: TensorInfo) => {
    const entry = backend.dataIdMap.get(tensor.dataId);
    if (!entry)
      throw new TfjsNativeError(
        `tensor data ${String(tensor.dataId)} is not on the wasm backend; move it there before running native kernels`,
      );
    return entry.memoryOffset;
  };
  // The heap can grow (and its buffer change) on every allocation, so views are made late.
  const viewAt = (offset: number, size: number) =>
    new Float32Array(backend.wasm.HEAPU8.buffer, offset, size);
  return {
    view: (tensor) => viewAt(offsetOf(tensor), util.sizeFromShape(tensor.shape)),
    viewInt32: (tensor) =>
      new Int32Array(
        backend.wasm.HEAPU8.buffer,
        offsetOf(tensor),
        util.sizeFromShape(tensor.shape),
      ),
    allocate(shape) {
      const info = backend.makeOutput(shape, 'float32');
      const size = util.sizeFromShape(shape);
      return { info, view: () => viewAt(offsetOf(info), size) };
    },
    allocateBool(shape) {
      const info = backend.makeOutput(shape, 'bool');
      const size = util.sizeFromShape(shape);
      return { info, view: () => new Uint8Array(backend.wasm.HEAPU8.buffer, offsetOf(info), size) };
    },
  };
}

function cpuMemory(backend: CpuBackendInternals): TensorMemory {
  return {
    view(tensor) {
      const values = backend.data.get(tensor.dataId)?.values;
      if (values instanceof Float32Array) return values;
      // The cpu backend casts bool/int32 to float32 by sharing the original typed array.
      if (ArrayBuffer.isView(values) || Array.isArray(values)) {
        return Float32Array.from(values as ArrayLike<number>);
      }
      throw new TfjsNativeError(
        `tensor of dtype ${tensor.dtype} has no numeric values on the cpu backend (got ${Object.prototype.toString.call(values)}); native kernels take float32 only`,
      );
    },
    viewInt32(tensor) {
      const values = backend.data.get(tensor.dataId)?.values;
      if (values instanceof Int32Array) return values;
      if (ArrayBuffer.isView(values) || Array.isArray(values)) {
        return Int32Array.from(values as ArrayLike<number>);
      }
      throw new TfjsNativeError(
        `tensor of dtype ${tensor.dtype} has no numeric values on the cpu backend; native kernels take int32 indices`,
      );
    },
    allocate(shape) {
      const values = new Float32Array(util.sizeFromShape(shape));
      const info = backend.makeTensorInfo(shape, 'float32', values);
      return { info, view: () => values };
    },
    allocateBool(shape) {
      const values = new Uint8Array(util.sizeFromShape(shape));
      const info = backend.makeTensorInfo(shape, 'bool', values);
      return { info, view: () => values };
    },
  };
}

/** Memory access for `backend` (whose internals `checkBackend` has accepted). */
export function tensorMemory(name: SupportedBackendName, backend: KernelBackend): TensorMemory {
  return name === 'wasm'
    ? wasmMemory(backend as unknown as WasmBackendInternals)
    : cpuMemory(backend as unknown as CpuBackendInternals);
}
