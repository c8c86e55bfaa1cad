// A tiny hand-made language model for the trainer's tests: token + position embeddings, one tanh
// layer with a bias, a gain, and a head tied to wte. Same shape as gpt-model's GPT to the trainer.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GPTConfig } from '@lmkit/gpt-model';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import type { GenerateOptions, TrainableModel } from '../model.ts';
import { SeededRandom } from '@lmkit/core';
import { encodeFloat32Safetensors, type Float32Entry } from '../checkpoint/safetensors.ts';

let instances = 0;

export class TinyModel implements TrainableModel {
  readonly parameters = new Map<string, tf.Variable>();
  config: GPTConfig;
  private readonly id = instances++;

  constructor(config: Partial<GPTConfig> & { vocabSize: number }, seed = 0) {
    this.config = { blockSize: 16, nLayer: 1, nHead: 1, nEmbd: 8, dropout: 0, bias: true, ...config };
    const { vocabSize: V, blockSize: T, nEmbd: C } = this.config;
    const add = (name: string, value: () => tf.Tensor) =>
      this.parameters.set(name, tf.tidy(() => tf.variable(value(), true, `tiny${this.id}/${name}`)));
    add('wte.weight', () => tf.randomNormal([V, C], 0, 0.3, 'float32', seed + 1));
    add('wpe.weight', () => tf.randomNormal([T, C], 0, 0.1, 'float32', seed + 2));
    add('h.0.mlp.c_fc.weight', () => tf.randomNormal([C, C], 0, 0.3, 'float32', seed + 3));
    add('h.0.mlp.c_fc.bias', () => tf.zeros([C]));
    add('ln_f.weight', () => tf.ones([C]));
  }

  private p(name: string): tf.Variable {
    return this.parameters.get(name)!;
  }

  logits(ids: tf.Tensor2D, options: { training?: boolean; seed?: number } = {}): tf.Tensor3D {
    return tf.tidy(() => {
      const [B, T] = ids.shape;
      const C = this.config.nEmbd;
      const tokens = tf.gather(this.p('wte.weight'), tf.reshape(ids, [-1])); // (B*T, C)
      const positions = tf.tile(tf.slice(this.p('wpe.weight'), [0, 0], [T, C]), [B, 1]);
      let h = tf.add(tokens, positions);
      h = tf.tanh(tf.add(tf.matMul(h, this.p('h.0.mlp.c_fc.weight')), this.p('h.0.mlp.c_fc.bias')));
      if (options.training && this.config.dropout > 0) {
        h = tf.dropout(h, this.config.dropout, undefined, options.seed);
      }
      h = tf.mul(h, this.p('ln_f.weight'));
      const logits = tf.matMul(h, this.p('wte.weight'), false, true); // (B*T, V)
      return tf.reshape(logits, [B, T, this.config.vocabSize]) as tf.Tensor3D;
    });
  }

  loss(
    ids: tf.Tensor2D,
    targets: tf.Tensor2D,
    options: { lossMask?: tf.Tensor2D; training?: boolean; seed?: number } = {},
  ): tf.Scalar {
    return tf.tidy(() => {
      const logits = this.logits(ids, options);
      const logProbs = tf.logSoftmax(logits);
      const oneHot = tf.oneHot(tf.cast(targets, 'int32'), this.config.vocabSize);
      const nll = tf.neg(tf.sum(tf.mul(oneHot, logProbs), -1)); // (B, T)
      if (!options.lossMask) return tf.mean(nll) as tf.Scalar;
      return tf.div(tf.sum(tf.mul(nll, options.lossMask)), tf.sum(options.lossMask)) as tf.Scalar;
    });
  }

  async *generate(prompt: number[], options: GenerateOptions): AsyncGenerator<number> {
    const random = new SeededRandom(options.seed ?? 0);
    const ids = [...prompt];
    for (let i = 0; i < (options.maxNewTokens ?? 16); i++) {
      const context = ids.slice(-this.config.blockSize);
      const probs = tf.tidy(() => {
        const logits = this.logits(tf.tensor2d([context], [1, context.length], 'int32'));
        return tf.softmax(tf.squeeze(tf.slice(logits, [0, context.length - 1, 0], [1, 1, -1])));
      });
      const p = probs.dataSync();
      probs.dispose();
      let r = random.next();
      let next = p.length - 1;
      for (let k = 0; k < p.length; k++) {
        r -= p[k];
        if (r < 0) {
          next = k;
          break;
        }
      }
      // As @lmkit/gpt-model does: a stop id ends the stream without being yielded.
      if (options.stop?.includes(next)) return;
      ids.push(next);
      yield next;
    }
  }

  resizeVocabulary(vocabSize: number, options: { seed?: number } = {}): void {
    const old = this.p('wte.weight');
    const extra = vocabSize - this.config.vocabSize;
    const grown = tf.tidy(() =>
      tf.concat([old, tf.randomNormal([extra, this.config.nEmbd], 0, 0.02, 'float32', options.seed)]),
    );
    old.dispose();
    this.parameters.set('wte.weight', tf.variable(grown, true, `tiny${this.id}/wte.weight@${vocabSize}`));
    grown.dispose();
    this.config = { ...this.config, vocabSize };
  }

  async save(dir: string): Promise<void> {
    mkdirSync(dir, { recursive: true });
    const tensors = new Map<string, Float32Entry>();
    for (const [name, variable] of this.parameters) {
      tensors.set(name, { shape: [...variable.shape], data: Float32Array.from(await variable.data()) });
    }
    writeFileSync(join(dir, 'model.safetensors'), encodeFloat32Safetensors(tensors));
    const { vocabSize, blockSize, nLayer, nHead, nEmbd } = this.config;
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({ model_type: 'gpt2', vocab_size: vocabSize, n_positions: blockSize, n_layer: nLayer, n_head: nHead, n_embd: nEmbd }),
    );
  }

  dispose(): void {
    for (const variable of this.parameters.values()) variable.dispose();
  }
}
