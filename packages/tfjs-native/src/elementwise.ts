// Elementwise kernels on the addon: Exp and Tanh (vectorised), Add / Sub / Multiply / RealDiv /
// Equal with numpy broadcasting, Sum over a contiguous block of axes, and a copy-free Identity
// on wasm. Anything outside what they handle (dtypes, rank > 8) goes to the replaced kernel.
import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import { util } from '@tensorflow/tfjs-core';
import { planBinary } from './binary-plan.ts';
import { type KernelFactory, stockKernel } from './kernel-factory.ts';
import { tensorMemory } from './tensor-memory.ts';

function unary(op: number, name: string): KernelFactory {
  return (addon, backendName, previous) => {
    const stock = stockKernel(previous, name);
    return (args) => {
      const { x } = args.inputs as { x: TensorInfo };
      if (x.dtype !== 'float32') return stock(args);
      const memory = tensorMemory(backendName, args.backend as KernelBackend);
      const out = memory.allocate([...x.shape]);
      addon.unary(op, memory.view(x), out.view());
      return out.info;
    };
  };
}

function binary(op: number, name: string): KernelFactory {
  return (addon, backendName, previous) => {
    const stock = stockKernel(previous, name);
    return (args) => {
      const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
      if (a.dtype !== 'float32' || b.dtype !== 'float32') return stock(args);
      const plan = planBinary(a.shape, b.shape);
      if (plan.shape.length > 8) return stock(args);
      const memory = tensorMemory(backendName, args.backend as KernelBackend);
      const out =
        op === binaryOps.Equal
          ? memory.allocateBool(plan.outShape)
          : memory.allocate(plan.outShape);
      addon.binary(
        op,
        memory.view(a),
        memory.view(b),
        out.view(),
        plan.shape,
        plan.aStrides,
        plan.bStrides,
      );
      return out.info;
    };
  };
}

const binaryOps = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3, Equal: 4 } as const;

/** Sum over `axis` when the (normalised, sorted) axes form one contiguous block. */
const sum: KernelFactory = (addon, backendName, previous) => {
  const stock = stockKernel(previous, 'Sum');
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as {
      axis: number | number[] | null;
      keepDims: boolean;
    };
    if (x.dtype !== 'float32') return stock(args);
    const rank = x.shape.length;
    // axis null means every axis; negative axes count from the end.
    const axes = [
      ...new Set(util.parseAxisParam(axis ?? (null as unknown as number), x.shape)),
    ].sort((p, q) => p - q);
    if (
      axes.length === 0 ||
      axes.some((d, i) => d < 0 || d >= rank || (i > 0 && d !== axes[i - 1] + 1))
    )
      return stock(args);
    const size = (dims: readonly number[]) => dims.reduce((p, d) => p * d, 1);
    const outer = size(x.shape.slice(0, axes[0]));
    const reduce = size(x.shape.slice(axes[0], axes.at(-1)! + 1));
    const inner = size(x.shape.slice(axes.at(-1)! + 1));
    const outShape = keepDims
      ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d))
      : x.shape.filter((_, i) => !axes.includes(i));
    const memory = tensorMemory(backendName, args.backend as KernelBackend);
    const out = memory.allocate(outShape);
    addon.sum(memory.view(x), out.view(), outer, reduce, inner);
    return out.info;
  };
};

/** Identity without a copy: the output shares the input's data (as the cpu backend does). */
const identity: KernelFactory = (_addon, backendName, previous) => {
  const stock = stockKernel(previous, 'Identity');
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (backendName !== 'wasm' || x.dtype === 'string') return stock(args);
    (args.backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
};

/** Kernel name → factory, for every elementwise kernel this package provides. */
export const elementwiseKernels: Record<string, KernelFactory> = {
  Exp: unary(0, 'Exp'),
  Tanh: unary(1, 'Tanh'),
  Add: binary(binaryOps.Add, 'Add'),
  Sub: binary(binaryOps.Sub, 'Sub'),
  Multiply: binary(binaryOps.Multiply, 'Multiply'),
  RealDiv: binary(binaryOps.RealDiv, 'RealDiv'),
  Equal: binary(binaryOps.Equal, 'Equal'),
  Sum: sum,
  Identity: identity,
};
