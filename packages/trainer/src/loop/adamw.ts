// AdamW with decoupled weight decay (Loshchilov & Hutter), as PyTorch's torch.optim.AdamW applies
// it, on tfjs-core variables: the runtime's `adamwUpdate` per parameter (one fused kernel when a
// kernel family serves it, else tfjs ops). Weight decay goes to matrices only, not biases,
// LayerNorm gains or the wte/wpe embeddings (decided by Hugging Face GPT-2 parameter name and rank).
import { adamwKernelName, adamwUpdate } from '@lmkit/gpt-model/runtime';
import * as tf from '@tensorflow/tfjs-core';
import { TrainerConfigError } from '../errors.ts';

export { fusedAdamWAvailable } from '@lmkit/gpt-model/runtime';

export interface AdamWOptions {
  /** First-moment decay; default 0.9. */
  beta1?: number;
  /** Second-moment decay; default 0.95 (nanoGPT, llm.c). */
  beta2?: number;
  /** Added to the denominator; default 1e-8. */
  epsilon?: number;
  /** Decoupled weight decay applied to decayed parameters; default 0.1. */
  weightDecay?: number;
  /** Which parameters decay; default `decaysWeight`. */
  decay?: (name: string, shape: readonly number[]) => boolean;
}

/** Moments of one parameter, as stored in a checkpoint. */
export interface AdamWMoments {
  firstMoment: Float32Array;
  secondMoment: Float32Array;
}

/**
 * nanoGPT's grouping, minus the embeddings: 2-D weights decay; biases, LayerNorm gains and the
 * token/position embeddings do not. `decaysWeight('h.0.attn.c_attn.weight', [128, 384])` → true.
 */
export function decaysWeight(name: string, shape: readonly number[]): boolean {
  if (shape.length < 2) return false;
  const leaf = name.replace(/^transformer\./, '');
  return !(leaf.startsWith('wte.') || leaf.startsWith('wpe.'));
}

/** @deprecated The runtime's `adamwKernelName`. */
export const fusedAdamWKernelName = adamwKernelName;

export interface AdamWApplyOptions {
  /** Multiplies every gradient first (the global-norm clip coefficient); default 1. */
  gradientScale?: number;
}

interface Slot {
  variable: tf.Variable;
  firstMoment: tf.Variable;
  secondMoment: tf.Variable;
  decays: boolean;
}

/** Holds the moments and the step count; `apply` performs one update. */
export class AdamW {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  /** Updates applied so far (PyTorch's `step`, used for bias correction). */
  stepCount = 0;
  private readonly slots = new Map<string, Slot>();

  constructor(parameters: ReadonlyMap<string, tf.Variable>, options: AdamWOptions = {}) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.95;
    this.epsilon = options.epsilon ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0.1;
    for (const [key, value] of Object.entries({ beta1: this.beta1, beta2: this.beta2 })) {
      if (!(value >= 0 && value < 1)) {
        throw new TrainerConfigError(`AdamW ${key} ${value} must lie in [0, 1); use e.g. 0.9`);
      }
    }
    const decay = options.decay ?? decaysWeight;
    for (const [name, variable] of parameters) {
      this.slots.set(name, {
        variable,
        firstMoment: tf.tidy(() => tf.variable(tf.zerosLike(variable), false)),
        secondMoment: tf.tidy(() => tf.variable(tf.zerosLike(variable), false)),
        decays: decay(name, variable.shape),
      });
    }
  }

  /** Names of the parameters that receive weight decay. */
  decayedNames(): string[] {
    return [...this.slots].filter(([, slot]) => slot.decays).map(([name]) => name);
  }

  /**
   * One update with gradients by parameter name, each first multiplied by `gradientScale`;
   * parameters without a gradient are skipped. Variables get new tensors (never written in place:
   * gpt-model caches work keyed by a weight's data).
   */
  apply(
    gradients: Readonly<Record<string, tf.Tensor>>,
    learningRate: number,
    options: AdamWApplyOptions = {},
  ): void {
    const gradientScale = options.gradientScale ?? 1;
    if (!Number.isFinite(gradientScale)) {
      throw new TrainerConfigError(
        `AdamW gradientScale ${gradientScale} is not finite; pass the clip coefficient (0 < scale ≤ 1) or leave it out`,
      );
    }
    this.stepCount += 1;
    for (const [name, slot] of this.slots) {
      const gradient = gradients[name];
      if (!gradient) continue;
      tf.tidy(() => {
        const next = adamwUpdate({
          param: slot.variable,
          gradient,
          firstMoment: slot.firstMoment,
          secondMoment: slot.secondMoment,
          learningRate,
          beta1: this.beta1,
          beta2: this.beta2,
          epsilon: this.epsilon,
          weightDecay: slot.decays ? this.weightDecay : 0,
          step: this.stepCount,
          gradientScale,
        });
        slot.variable.assign(next.param);
        slot.firstMoment.assign(next.firstMoment);
        slot.secondMoment.assign(next.secondMoment);
      });
    }
  }

  /** Copies of all moments, by parameter name (for checkpoints). */
  async moments(): Promise<Map<string, AdamWMoments>> {
    const out = new Map<string, AdamWMoments>();
    for (const [name, slot] of this.slots) {
      out.set(name, {
        firstMoment: Float32Array.from(await slot.firstMoment.data()),
        secondMoment: Float32Array.from(await slot.secondMoment.data()),
      });
    }
    return out;
  }

  /** Restores moments and the step count written by `moments()` (exact, float32). */
  loadMoments(moments: ReadonlyMap<string, AdamWMoments>, stepCount: number): void {
    for (const [name, slot] of this.slots) {
      const saved = moments.get(name);
      const size = slot.variable.size;
      if (!saved || saved.firstMoment.length !== size || saved.secondMoment.length !== size) {
        throw new TrainerConfigError(
          `optimizer state for ${name} is missing or has the wrong size (want ${size} values); resume from a checkpoint of the same model`,
        );
      }
      tf.tidy(() => {
        slot.firstMoment.assign(tf.tensor(saved.firstMoment, slot.variable.shape));
        slot.secondMoment.assign(tf.tensor(saved.secondMoment, slot.variable.shape));
      });
    }
    this.stepCount = stepCount;
  }

  /** Frees the moment tensors. */
  dispose(): void {
    for (const slot of this.slots.values()) {
      slot.firstMoment.dispose();
      slot.secondMoment.dispose();
    }
    this.slots.clear();
  }
}
