// The DPO loss and its gradient on a tiny random GPT, against an independent computation: the
// loss and ∂loss/∂logits worked out in plain TypeScript float64 from the model's logits (the
// closed form: ∂/∂z = −(β/B)·σ(−βΔ)·mask·(onehot − softmax), sign flipped on rejected rows), and
// the parameter gradient against central finite differences of the whole model in float32.
import { GPT } from '@lmkit/gpt-model';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestBackend } from './__fixtures__/backend.ts';
import {
  batchLogProbs,
  buildPreferenceBatch,
  dpoLoss,
  dpoMetrics,
  maskedLogProbSums,
  type PreferenceExample,
} from './dpo-loss.ts';

const config = {
  vocabSize: 24,
  blockSize: 12,
  nLayer: 1,
  nHead: 2,
  nEmbd: 8,
  dropout: 0,
  bias: true,
};
const beta = 0.7;
let policy: GPT;
let reference: GPT;

/** prompt tokens (mask 0) then reply tokens (mask 1), as chat-template renders them. */
const example = (prompt: number[], reply: number[]) => ({
  ids: [...prompt, ...reply],
  lossMask: [...prompt.map(() => 0), ...reply.map(() => 1)],
});
const pairs: PreferenceExample[] = [
  { chosen: example([1, 2, 3], [4, 5, 6, 7]), rejected: example([1, 2, 3], [8, 9]) },
  {
    chosen: example([10, 11], [12, 13, 14]),
    rejected: example([10, 11], [15, 16, 17, 18, 19, 20]),
  },
  { chosen: example([2, 21], [22]), rejected: example([2, 21], [23, 5, 1]) },
];

beforeAll(async () => {
  await useTestBackend();
  policy = new GPT(config, { seed: 1 });
  reference = new GPT(config, { seed: 2 });
});

/** Float64 log-softmax rows of a model's logits for the batch. */
function logSoftmax64(model: GPT, batch: ReturnType<typeof buildPreferenceBatch>): number[][][] {
  const logits = model.logits(
    tf.tensor2d(batch.inputs, [batch.rows, batch.sequenceLength], 'int32'),
  );
  const values = logits.arraySync() as number[][][];
  logits.dispose();
  return values.map((row) =>
    row.map((z) => {
      const max = Math.max(...z);
      const log = Math.log(z.reduce((s, v) => s + Math.exp(v - max), 0)) + max;
      return z.map((v) => v - log);
    }),
  );
}

function sums64(logProbs: number[][][], batch: ReturnType<typeof buildPreferenceBatch>): number[] {
  const T = batch.sequenceLength;
  return logProbs.map((row, r) =>
    row.reduce((s, lp, t) => s + batch.mask[r * T + t] * lp[batch.targets[r * T + t]], 0),
  );
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describe('buildPreferenceBatch', () => {
  it('pads both sides to the longest sequence, chosen rows first, mask shifted to the targets', () => {
    const batch = buildPreferenceBatch(pairs, { maxSequenceLength: 12 });
    expect([batch.rows, batch.sequenceLength]).toEqual([6, 7]);
    expect(Array.from(batch.inputs.slice(0, 7))).toEqual([1, 2, 3, 4, 5, 6, 0]);
    expect(Array.from(batch.targets.slice(0, 7))).toEqual([2, 3, 4, 5, 6, 7, 0]);
    expect(Array.from(batch.mask.slice(0, 7))).toEqual([0, 0, 1, 1, 1, 1, 0]);
    expect(Array.from(batch.targets.slice(3 * 7, 3 * 7 + 4))).toEqual([2, 3, 8, 9]); // pair 0, rejected
    expect(() => buildPreferenceBatch(pairs, { maxSequenceLength: 5 })).toThrow(
      /pair 0 \(chosen\) has 7 tokens, over the context of 5 \+ 1/,
    );
    expect(() =>
      buildPreferenceBatch(
        [{ chosen: example([1], [2]), rejected: { ids: [1, 2], lossMask: [0, 0] } }],
        { maxSequenceLength: 5 },
      ),
    ).toThrow(/pair 0 \(rejected\) has no trained token/);
  });
});

describe('dpoLoss', () => {
  it('equals the float64 loss, rewards and metrics computed from the logits', async () => {
    const batch = buildPreferenceBatch(pairs, { maxSequenceLength: 12 });
    const policyTensor = batchLogProbs(policy, batch);
    const referenceValues = await batchLogProbs(reference, batch).data();
    const tensors = dpoLoss({
      policy: policyTensor,
      reference: referenceValues as Float32Array,
      beta,
    });
    const metrics = await dpoMetrics(tensors);
    const pi = sums64(logSoftmax64(policy, batch), batch);
    const ref = sums64(logSoftmax64(reference, batch), batch);
    const B = pairs.length;
    const chosen = pi.slice(0, B).map((v, i) => beta * (v - ref[i]));
    const rejected = pi.slice(B).map((v, i) => beta * (v - ref[B + i]));
    const loss = chosen.reduce((s, c, i) => s - Math.log(sigmoid(c - rejected[i])), 0) / B;
    expect(metrics.loss).toBeCloseTo(loss, 5);
    expect(metrics.chosenReward).toBeCloseTo(chosen.reduce((a, b) => a + b) / B, 5);
    expect(metrics.rejectedReward).toBeCloseTo(rejected.reduce((a, b) => a + b) / B, 5);
    expect(metrics.margin).toBeCloseTo(metrics.chosenReward - metrics.rejectedReward, 5);
    expect(metrics.accuracy).toBe(chosen.filter((c, i) => c > rejected[i]).length / B);
    tf.dispose([policyTensor, tensors.loss, tensors.chosenRewards, tensors.rejectedRewards]);
  });

  it('has the closed-form gradient with respect to the logits', async () => {
    const batch = buildPreferenceBatch(pairs, { maxSequenceLength: 12 });
    const shape: [number, number] = [batch.rows, batch.sequenceLength];
    const referenceSums = await batchLogProbs(reference, batch).data();
    const logits = policy.logits(tf.tensor2d(batch.inputs, shape, 'int32'));
    const targets = tf.tensor2d(batch.targets, shape, 'int32');
    const mask = tf.tensor2d(batch.mask, shape);
    const gradient = tf.grad(
      (z: tf.Tensor) =>
        dpoLoss({
          policy: maskedLogProbSums(z as tf.Tensor3D, targets, mask),
          reference: referenceSums as Float32Array,
          beta,
        }).loss,
    )(logits);
    const got = gradient.arraySync() as number[][][];
    const logProbs = logSoftmax64(policy, batch);
    const pi = sums64(logProbs, batch);
    const B = pairs.length;
    const T = batch.sequenceLength;
    let checked = 0;
    for (let r = 0; r < batch.rows; r++) {
      const pair = r % B;
      const delta =
        beta * (pi[pair] - referenceSums[pair] - (pi[B + pair] - referenceSums[B + pair]));
      const scale = ((r < B ? -1 : 1) * beta * sigmoid(-delta)) / B;
      for (let t = 0; t < T; t++) {
        for (let v = 0; v < config.vocabSize; v++) {
          const onehot = batch.targets[r * T + t] === v ? 1 : 0;
          const expected = scale * batch.mask[r * T + t] * (onehot - Math.exp(logProbs[r][t][v]));
          expect(got[r][t][v]).toBeCloseTo(expected, 6);
          checked++;
        }
      }
    }
    expect(checked).toBe(6 * 7 * 24);
    tf.dispose([logits, targets, mask, gradient]);
  });

  it('has the gradient of central finite differences through the whole model', async () => {
    const batch = buildPreferenceBatch(pairs, { maxSequenceLength: 12 });
    const referenceSums = await batchLogProbs(reference, batch).data();
    const lossOf = () =>
      dpoLoss({
        policy: batchLogProbs(policy, batch),
        reference: referenceSums as Float32Array,
        beta,
      }).loss;
    const variables = [...policy.parameters.values()];
    const { value, grads } = tf.variableGrads(lossOf, variables);
    value.dispose();
    // In each probed parameter, the entry the loss is most sensitive to (so the check has signal).
    const probes = ['ln_f.bias', 'wte.weight', 'h.0.mlp.c_fc.weight', 'h.0.attn.c_attn.weight'].map(
      (name): [string, number] => {
        const values = grads[policy.parameters.get(name)!.name].dataSync();
        let best = 0;
        for (let i = 1; i < values.length; i++)
          if (Math.abs(values[i]) > Math.abs(values[best])) best = i;
        return [name, best];
      },
    );
    const epsilon = 1e-2;
    for (const [name, index] of probes) {
      const variable = policy.parameters.get(name)!;
      const original = variable.dataSync().slice();
      const at = async (shift: number) => {
        const values = original.slice();
        values[index] += shift;
        variable.assign(tf.tensor(values, variable.shape));
        const loss = lossOf();
        const out = (await loss.data())[0];
        loss.dispose();
        return out;
      };
      const numeric = ((await at(epsilon)) - (await at(-epsilon))) / (2 * epsilon);
      variable.assign(tf.tensor(original, variable.shape));
      const analytic = grads[variable.name].dataSync()[index];
      expect(Math.abs(analytic - numeric)).toBeLessThan(2e-4 + 0.02 * Math.abs(numeric));
      expect(Math.abs(analytic)).toBeGreaterThan(1e-3); // a probe that moves the loss
    }
    tf.dispose(Object.values(grads));
  });

  it('refuses a beta that is not positive', () => {
    expect(() => dpoLoss({ policy: tf.tensor1d([0, 0]), reference: [0, 0], beta: 0 })).toThrow(
      /beta 0 must be above 0/,
    );
  });
});
