// The WebGPU kernel family, installed by setBackend like every family and built in (always on
// webgpu): fixes to tfjs-backend-webgpu's stock kernels, and WGSL kernels under the names the
// runtime's ops call (gelu.ts).
//
// AddN: tfjs asks for a device with the default limit of 8 storage buffers per shader stage, and its
// AddN program binds every input plus the output; with 8 or more inputs the pipeline is invalid and
// the result is silently all zeros. This kernel sums in groups of 7 and then sums the partial sums.
import type * as tf from '@tensorflow/tfjs-core';
import { GPTModelError } from '../../errors.ts';
import type { KernelFactory, KernelFamily } from '../families.ts';
import { probeWebGpu } from './adapter.ts';
import { geluGradient, geluKernels } from './gelu.ts';

/** One output buffer + 7 inputs fit WebGPU's default 8 storage buffers per shader stage. */
export const ADD_N_MAX_INPUTS = 7;

const chunkedAddN: KernelFactory = (previous) => {
  if (!previous) throw new GPTModelError('the webgpu backend has no AddN kernel to wrap');
  const stock = previous.kernelFunc;
  return (args) => {
    let level = args.inputs as unknown as tf.TensorInfo[];
    if (level.length <= ADD_N_MAX_INPUTS) return stock(args);
    const partials: tf.TensorInfo[] = [];
    while (level.length > ADD_N_MAX_INPUTS) {
      const next: tf.TensorInfo[] = [];
      for (let i = 0; i < level.length; i += ADD_N_MAX_INPUTS) {
        const group = level.slice(i, i + ADD_N_MAX_INPUTS);
        if (group.length === 1) {
          next.push(group[0]);
          continue;
        }
        const sum = stock({ ...args, inputs: group as unknown as tf.NamedTensorInfoMap });
        partials.push(sum as tf.TensorInfo);
        next.push(sum as tf.TensorInfo);
      }
      level = next;
    }
    const out = stock({ ...args, inputs: level as unknown as tf.NamedTensorInfoMap });
    const backend = args.backend as tf.KernelBackend;
    for (const partial of partials) backend.disposeData(partial.dataId);
    return out;
  };
};

export const webgpuFamily: KernelFamily = {
  name: 'webgpu',
  backend: ['webgpu'],
  builtIn: true,
  async available() {
    const probe = await probeWebGpu();
    return probe.ok ? { available: true } : { available: false, reason: probe.reason };
  },
  kernels: () => ({ AddN: chunkedAddN, ...geluKernels }),
  gradients: [geluGradient],
};
