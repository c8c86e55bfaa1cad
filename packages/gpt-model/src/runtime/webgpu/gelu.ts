// GPT-2's tanh-GELU as two WGSL kernels for tfjs's webgpu backend, registered under the names the
// runtime's `gelu` op already calls (LmkitGelu, LmkitGeluGrad), as @lmkit/tfjs-native does on the CPU.
// Stock tfjs composes the formula from 8 elementwise kernels forward and 11 backward, each a
// dispatch and a full-size intermediate buffer; these are one dispatch each way.

import {
  type WebGPUBackend,
  type WebGPUProgram,
  webgpu_util,
} from '@tensorflow/tfjs-backend-webgpu';
import type * as tf from '@tensorflow/tfjs-core';
import { engine } from '@tensorflow/tfjs-core';
import type { KernelFactory } from '../families.ts';
import { geluKernelName } from '../ops/layers.ts';

export const geluGradKernelName = 'LmkitGeluGrad';

// √(2/π) and the cubic coefficient of the tanh approximation; the tanh argument is clamped to ±15,
// where tanh is ±1 in float32, so no implementation's overflow can give NaN.
const constants = `
  const geluScale = 0.7978845608028654;
  const geluCubic = 0.044715;
  fn geluTanh(x : f32) -> f32 {
    return tanh(clamp(geluScale * (x + geluCubic * x * x * x), -15.0, 15.0));
  }`;

function program(
  shape: number[],
  variableNames: string[],
  shaderKey: string,
  body: string,
): WebGPUProgram {
  const workgroupSize: [number, number, number] = [128, 1, 1];
  const dispatchLayout = webgpu_util.flatDispatchLayout(shape);
  return {
    variableNames,
    outputShape: shape,
    shaderKey,
    size: true,
    workgroupSize,
    dispatchLayout,
    dispatch: webgpu_util.computeDispatch(dispatchLayout, shape, workgroupSize),
    getUserCode: () => `${constants}
      fn main(index : i32) {
        if (index < uniforms.size) {
          ${body}
        }
      }`,
  };
}

const forward: KernelFactory = () => (args) => {
  const { x } = args.inputs as { x: tf.TensorInfo };
  const backend = args.backend as WebGPUBackend;
  const gelu = program(
    [...x.shape],
    ['X'],
    'lmkit_gelu',
    `let x = getXByOutputIndex(index);
          setOutputAtIndex(index, 0.5 * x * (1.0 + geluTanh(x)));`,
  );
  return backend.runWebGPUProgram(gelu, [x], 'float32');
};

const backward: KernelFactory = () => (args) => {
  const { dy, x } = args.inputs as { dy: tf.TensorInfo; x: tf.TensorInfo };
  const backend = args.backend as WebGPUBackend;
  // d/dx = 0.5·(1 + t) + 0.5·x·(1 − t²)·√(2/π)·(1 + 3·0.044715·x²)
  const geluGrad = program(
    [...x.shape],
    ['DY', 'X'],
    'lmkit_gelu_grad',
    `let x = getXByOutputIndex(index);
          let t = geluTanh(x);
          let inner = geluScale * x * (1.0 + 3.0 * geluCubic * x * x);
          setOutputAtIndex(index, getDYByOutputIndex(index) * 0.5 * (1.0 + t + (1.0 - t * t) * inner));`,
  );
  return backend.runWebGPUProgram(geluGrad, [dy, x], 'float32');
};

export const geluKernels: Record<string, KernelFactory> = {
  [geluKernelName]: forward,
  [geluGradKernelName]: backward,
};

/**
 * LmkitGelu's gradient through LmkitGeluGrad: the same kernel names and inputs as
 * @lmkit/tfjs-native's, so whichever family registers it first serves both.
 */
export const geluGradient: tf.GradConfig = {
  kernelName: geluKernelName,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => ({
    x: () =>
      engine().runKernel(geluGradKernelName, { dy: dy as tf.Tensor, x: saved[0] }, {}) as tf.Tensor,
  }),
};
