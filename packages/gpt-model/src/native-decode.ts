// Fast KV-cache decoding through @lmkit/tfjs-native's decode kernels (when installed): one kernel
// call per block and per token, keys and values appended in place to a cache private to one
// decoding run. `model.hidden(…, { cache })` and its immutable KVCache are left as they are.
import * as tf from '@tensorflow/tfjs-core';
import type { GPTConfig } from './config.ts';
import type { GPT } from './model.ts';
import {
  decodeBlock,
  decodeEmbed,
  decodeKernelsAvailable,
  decodeLogits,
} from './runtime/ops/decode.ts';
import { layerNormEpsilon } from './runtime/ops/layers.ts';

/** Whether the native decode kernels serve the active backend. */
export function nativeDecodeAvailable(): boolean {
  return decodeKernelsAvailable();
}

type Inputs = Record<string, tf.Tensor>;

/**
 * Keys and values of one decoding run: per layer a (B, H, capacity, head size) tensor pair,
 * allocated once and WRITTEN IN PLACE by the LmkitDecodeBlock kernel as positions are added.
 * They never leave this object (no other op reads them), which keeps the in-place writes safe;
 * `dispose()` frees them. The model's weights must not be replaced while it is in use.
 */
export class NativeDecodeCache {
  /** Positions stored so far. */
  length = 0;
  private readonly blocks: Inputs[];
  private readonly embed: Inputs;
  private readonly head: Inputs;
  private readonly nHead: number;

  constructor(model: GPT, batch: number, capacity: number) {
    const config: GPTConfig = model.config;
    const { nLayer, nHead, nEmbd } = config;
    const p = (name: string) => model.parameters.get(name) as unknown as tf.Tensor | undefined;
    const pick = (entries: [string, string][]): Inputs => {
      const inputs: Inputs = {};
      for (const [key, name] of entries) {
        const tensor = p(name);
        if (tensor) inputs[key] = tensor;
      }
      return inputs;
    };
    this.nHead = nHead;
    this.embed = pick([
      ['wte', 'wte.weight'],
      ['wpe', 'wpe.weight'],
    ]);
    this.head = pick([
      ['lnWeight', 'ln_f.weight'],
      ['lnBias', 'ln_f.bias'],
      ['wte', 'wte.weight'],
    ]);
    const shape = [batch, nHead, capacity, nEmbd / nHead];
    this.blocks = Array.from({ length: nLayer }, (_, i) => {
      const h = `h.${i}.`;
      return {
        ...pick([
          ['ln1Weight', `${h}ln_1.weight`],
          ['ln1Bias', `${h}ln_1.bias`],
          ['qkvWeight', `${h}attn.c_attn.weight`],
          ['qkvBias', `${h}attn.c_attn.bias`],
          ['projWeight', `${h}attn.c_proj.weight`],
          ['projBias', `${h}attn.c_proj.bias`],
          ['ln2Weight', `${h}ln_2.weight`],
          ['ln2Bias', `${h}ln_2.bias`],
          ['fcWeight', `${h}mlp.c_fc.weight`],
          ['fcBias', `${h}mlp.c_fc.bias`],
          ['fcProjWeight', `${h}mlp.c_proj.weight`],
          ['fcProjBias', `${h}mlp.c_proj.bias`],
        ]),
        kCache: tf.zeros(shape),
        vCache: tf.zeros(shape),
      };
    });
  }

  /**
   * Runs the new tokens `ids` (B rows of t each, placed at `positions`, row b hiding keys
   * before `padding[b]`) through the model, appends their keys and values, and returns the
   * logits (B, V) of each row's last new position.
   */
  logits(ids: number[], positions: number[], padding: number[]): tf.Tensor2D {
    const batch = padding.length;
    const steps = ids.length / batch;
    const past = this.length;
    const out = tf.tidy(() => {
      let x = decodeEmbed(this.embed, { ids, positions });
      const attrs = { batch, steps, past, nHead: this.nHead, padding, epsilon: layerNormEpsilon };
      for (const block of this.blocks) x = decodeBlock({ x, ...block }, attrs);
      return decodeLogits({ x, ...this.head }, { steps, epsilon: layerNormEpsilon });
    });
    this.length = past + steps;
    return out;
  }

  dispose(): void {
    for (const block of this.blocks) tf.dispose([block.kCache, block.vCache]);
  }
}
