// Parameter names (Hugging Face GPT-2, without the 'transformer.' prefix), shapes and init scales.
import type { GPTConfig } from './config.ts';

export interface ParameterSpec {
  name: string;
  shape: number[];
  /** 'normal' weights draw N(0, std²); 'zeros' and 'ones' are constant. */
  init: 'normal' | 'zeros' | 'ones';
  std?: number;
}

/** Every parameter of a GPT in a fixed order (the order of llm.c's file within each kind). */
export function parameterSpecs(config: GPTConfig): ParameterSpec[] {
  const { vocabSize: V, blockSize: T, nLayer: L, nEmbd: C, bias } = config;
  const std = 0.02;
  const residualStd = 0.02 / Math.sqrt(2 * L);
  const specs: ParameterSpec[] = [
    { name: 'wte.weight', shape: [V, C], init: 'normal', std },
    { name: 'wpe.weight', shape: [T, C], init: 'normal', std },
  ];
  const add = (name: string, shape: number[], init: ParameterSpec['init'], s?: number) =>
    specs.push({ name, shape, init, std: s });
  for (let i = 0; i < L; i++) {
    const p = `h.${i}.`;
    add(`${p}ln_1.weight`, [C], 'ones');
    if (bias) add(`${p}ln_1.bias`, [C], 'zeros');
    add(`${p}attn.c_attn.weight`, [C, 3 * C], 'normal', std);
    if (bias) add(`${p}attn.c_attn.bias`, [3 * C], 'zeros');
    add(`${p}attn.c_proj.weight`, [C, C], 'normal', residualStd);
    if (bias) add(`${p}attn.c_proj.bias`, [C], 'zeros');
    add(`${p}ln_2.weight`, [C], 'ones');
    if (bias) add(`${p}ln_2.bias`, [C], 'zeros');
    add(`${p}mlp.c_fc.weight`, [C, 4 * C], 'normal', std);
    if (bias) add(`${p}mlp.c_fc.bias`, [4 * C], 'zeros');
    add(`${p}mlp.c_proj.weight`, [4 * C, C], 'normal', residualStd);
    if (bias) add(`${p}mlp.c_proj.bias`, [C], 'zeros');
  }
  add('ln_f.weight', [C], 'ones');
  if (bias) add('ln_f.bias', [C], 'zeros');
  return specs;
}
