// Runs in Chromium (bundled by reference.test.ts): gpt-model's PyTorch reference checks (as in its
// runtime/webgpu/webgpu.test.ts) on the browser's own WebGPU (SwiftShader in headless Chromium). Results go to `window.lmkitResult`
// for the test to read; every read-back is asynchronous, as WebGPU code must be.
import { backendStatus, gptFromSafetensors, setBackend, tf } from '@lmkit/gpt-model';

interface Reference {
  input_ids: number[][];
  targets: number[][];
  logits: number[][][];
  loss: number;
  grad_l2_norms: Record<string, number>;
  greedy: { prompt: number[]; tokens: number[] };
}

async function scalar(t: tf.Tensor): Promise<number> {
  const value = (await t.data())[0];
  t.dispose();
  return value;
}

async function main() {
  await setBackend('webgpu', { nativeKernels: false });
  const adapter = backendStatus().adapter;
  const [config, weights, reference] = await Promise.all([
    fetch('/model/config.json').then((r) => r.json() as Promise<Record<string, unknown>>),
    fetch('/model/model.safetensors').then((r) => r.arrayBuffer()),
    fetch('/model/reference.json').then((r) => r.json() as Promise<Reference>),
  ]);
  const model = gptFromSafetensors(config, new Uint8Array(weights), '/model');

  const logits = model.logits(reference.input_ids);
  const actual = await logits.data();
  logits.dispose();
  const expected = reference.logits.flat(2);
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < expected.length; i++) {
    diff += (actual[i] - expected[i]) ** 2;
    norm += expected[i] ** 2;
  }

  const { value, grads } = tf.variableGrads(
    () => model.loss(reference.input_ids, reference.targets),
    [...model.parameters.values()],
  );
  const loss = await scalar(value);
  let worstGradient = 0;
  for (const [name, expectedNorm] of Object.entries(reference.grad_l2_norms)) {
    const gradNorm = await scalar(tf.norm(grads[model.variablePrefix + name]));
    worstGradient = Math.max(worstGradient, Math.abs(gradNorm - expectedNorm) / expectedNorm);
  }
  tf.dispose(grads);

  const { prompt, tokens } = reference.greedy;
  const generated: number[] = [];
  for await (const id of model.generate(prompt, {
    maxNewTokens: tokens.length - prompt.length,
    temperature: 0,
  }))
    generated.push(id);

  return {
    adapter,
    backend: tf.getBackend(),
    logitsRelativeL2: Math.sqrt(diff / norm),
    lossError: Math.abs(loss - reference.loss),
    worstGradientRelative: worstGradient,
    greedyEqual: JSON.stringify([...prompt, ...generated]) === JSON.stringify(tokens),
    gradientCount: Object.keys(reference.grad_l2_norms).length,
  };
}

// `globalThis` is the page's window here (this file is typed against Node's lib, without the DOM).
main().then(
  (result) => Object.assign(globalThis, { lmkitResult: result }),
  (error: Error) =>
    Object.assign(globalThis, { lmkitResult: { error: error.stack ?? String(error) } }),
);
