// The reference check: a random GPT-2 in Hugging Face layout must reproduce an independent PyTorch
// implementation's logits, loss, per-parameter gradient norms and greedy tokens, on wasm and cpu,
// each with this package's own kernels and with @lmkit/tfjs-native's kernels installed on top, and
// on WebGPU (Dawn over lavapipe on CI, which must run it). Reads are `await data()`: WebGPU in Node
// has no synchronous read-back.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nativeStatus } from '@lmkit/tfjs-native';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GPT, loadGPT2, nativeKernelStatus, probeWebGpu, setBackend } from './index.ts';

const dir = fileURLToPath(new URL('../../../data/models/gpt2-tiny-random/', import.meta.url));
const reference = JSON.parse(readFileSync(`${dir}reference.json`, 'utf8')) as {
  input_ids: number[][];
  targets: number[][];
  logits: number[][][];
  loss: number;
  grad_l2_norms: Record<string, number>;
  greedy: { prompt: number[]; tokens: number[] };
};

function relativeL2(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < expected.length; i++) {
    diff += (actual[i] - expected[i]) ** 2;
    norm += expected[i] ** 2;
  }
  return Math.sqrt(diff / norm);
}

// The native variant needs the addon (built at install time against OpenBLAS); CI installs
// libopenblas-dev, so there it always runs. Elsewhere it is skipped with the loader's reason.
const native = nativeStatus();
const webgpu = await probeWebGpu();
if (!webgpu.ok && process.env.CI)
  throw new Error(`CI must run the WebGPU variant, but: ${webgpu.reason}`);
const variants = [
  { backend: 'wasm', nativeKernels: false },
  { backend: 'wasm', nativeKernels: true },
  { backend: 'cpu', nativeKernels: false },
  { backend: 'cpu', nativeKernels: true },
  { backend: 'webgpu', nativeKernels: false },
] as const;

for (const { backend, nativeKernels } of variants) {
  const label = `${backend}${nativeKernels ? ' + native kernels' : ''}`;
  const skipped =
    nativeKernels && !native.available
      ? native.reason
      : backend === 'webgpu' && !webgpu.ok
        ? webgpu.reason
        : undefined;
  describe.skipIf(skipped !== undefined)(
    `GPT-2 against the PyTorch reference on ${label}${skipped ? ` (skipped: ${skipped})` : ''}`,
    () => {
      let model: GPT;
      beforeAll(async () => {
        expect(await setBackend(backend, { nativeKernels })).toBe(backend);
        expect(nativeKernelStatus(backend).installed).toBe(nativeKernels);
        model = await loadGPT2(dir);
      });
      afterAll(() => model.dispose());

      it('matches the logits within 1e-4 relative L2', async () => {
        const logits = model.logits(reference.input_ids);
        expect(logits.shape).toEqual([2, 16, 64]);
        const error = relativeL2(await logits.data(), reference.logits.flat(2));
        logits.dispose();
        expect(error).toBeLessThan(1e-4);
      });

      it('matches the loss within 1e-5 and every gradient norm within 1e-3 relative', async () => {
        const { value, grads } = tf.variableGrads(
          () => model.loss(reference.input_ids, reference.targets),
          [...model.parameters.values()],
        );
        expect(Math.abs((await value.data())[0] - reference.loss)).toBeLessThan(1e-5);
        const names = Object.keys(reference.grad_l2_norms);
        expect(names.sort()).toEqual([...model.parameters.keys()].sort());
        for (const name of names) {
          const normTensor = tf.norm(grads[model.variablePrefix + name]);
          const norm = (await normTensor.data())[0];
          normTensor.dispose();
          const expected = reference.grad_l2_norms[name];
          expect(Math.abs(norm - expected) / expected, name).toBeLessThan(1e-3);
        }
        tf.dispose([value, ...Object.values(grads)]);
      });

      it('produces the greedy tokens exactly, with and without the KV cache', async () => {
        const { prompt, tokens } = reference.greedy;
        const maxNewTokens = tokens.length - prompt.length;
        for (const kvCache of [true, false]) {
          const generated: number[] = [];
          for await (const id of model.generate(prompt, { maxNewTokens, temperature: 0, kvCache }))
            generated.push(id);
          expect([...prompt, ...generated]).toEqual(tokens);
        }
      });
    },
  );
}
