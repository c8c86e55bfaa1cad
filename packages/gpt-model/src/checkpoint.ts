// Model folders: Hugging Face GPT-2 form (config.json + model.safetensors, names with or without
// the 'transformer.' prefix) and llm.c's model.bin; loadGPT2 reads either, save writes either.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GPTConfig } from './config.ts';
import { GPTModelError } from './errors.ts';
import { decodeLlmc, encodeLlmc } from './llmc.ts';
import { GPT } from './model.ts';
import { parameterSpecs } from './names.ts';
import { assertFitsBackend } from './runtime/memory.ts';
import {
  decodeSafetensors,
  encodeSafetensors,
  type SafetensorsTensor,
  toFloat32,
} from './safetensors.ts';

/** The Hugging Face GPT-2 config.json for a config. */
export function toHuggingFaceConfig(config: GPTConfig): Record<string, unknown> {
  return {
    model_type: 'gpt2',
    architectures: ['GPT2LMHeadModel'],
    activation_function: 'gelu_new',
    vocab_size: config.vocabSize,
    n_positions: config.blockSize,
    n_ctx: config.blockSize,
    n_layer: config.nLayer,
    n_head: config.nHead,
    n_embd: config.nEmbd,
    layer_norm_epsilon: 1e-5,
    resid_pdrop: config.dropout,
    embd_pdrop: config.dropout,
    attn_pdrop: config.dropout,
    bias: config.bias,
    tie_word_embeddings: true,
  };
}

export function fromHuggingFaceConfig(json: Record<string, unknown>, source: string): GPTConfig {
  const number = (key: string, fallback?: number): number => {
    const value = json[key] ?? fallback;
    if (typeof value !== 'number')
      throw new GPTModelError(
        `${source}: "${key}" is ${value}; a GPT-2 config.json needs it as a number`,
      );
    return value;
  };
  const activation = json.activation_function ?? 'gelu_new';
  if (activation !== 'gelu_new' && activation !== 'gelu_pytorch_tanh')
    throw new GPTModelError(
      `${source}: activation_function is ${activation}; only GPT-2's tanh GELU ("gelu_new") is implemented`,
    );
  const eps = number('layer_norm_epsilon', 1e-5);
  if (Math.abs(eps - 1e-5) > 1e-12)
    throw new GPTModelError(
      `${source}: layer_norm_epsilon is ${eps}; this implementation uses GPT-2's 1e-5`,
    );
  return {
    vocabSize: number('vocab_size'),
    blockSize: number('n_positions', json.n_ctx as number),
    nLayer: number('n_layer'),
    nHead: number('n_head'),
    nEmbd: number('n_embd'),
    dropout: number('resid_pdrop', 0),
    bias: json.bias !== false,
  };
}

/** Float32 copies of every parameter, by Hugging Face name. */
export function modelWeights(model: GPT): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const [name, variable] of model.parameters)
    out.set(name, variable.dataSync() as Float32Array);
  return out;
}

/**
 * The weights by Hugging Face name, read back asynchronously: what saving uses, since WebGPU in Node
 * has no synchronous read-back (`modelWeights` works on the CPU backends only).
 */
export async function readModelWeights(model: GPT): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [name, variable] of model.parameters)
    out.set(name, (await variable.data()) as Float32Array);
  return out;
}

export async function saveModel(
  model: GPT,
  dir: string,
  format: 'safetensors' | 'llmc',
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const config = model.config;
  await writeFile(
    join(dir, 'config.json'),
    `${JSON.stringify(toHuggingFaceConfig(config), null, 2)}\n`,
  );
  const weights = await readModelWeights(model);
  if (format === 'llmc') {
    await writeFile(join(dir, 'model.bin'), encodeLlmc(config, weights));
    return;
  }
  if (format !== 'safetensors')
    throw new GPTModelError(`format is ${format}; use 'safetensors' or 'llmc'`);
  const tensors: Record<string, SafetensorsTensor> = {};
  for (const [name, data] of weights)
    tensors[name] = { dtype: 'F32', shape: model.parameters.get(name)!.shape, data };
  await writeFile(join(dir, 'model.safetensors'), encodeSafetensors(tensors, { format: 'pt' }));
}

const ignored = /(^lm_head\.weight$|\.attn\.bias$|\.attn\.masked_bias$)/;

/**
 * Loads a GPT from `dir`: Hugging Face `config.json` + `model.safetensors` (with or without the
 * 'transformer.' prefix; the tied `lm_head.weight` and attention mask buffers are ignored), or
 * an llm.c `model.bin` when there is no safetensors file.
 */
export async function loadGPT2(dir: string): Promise<GPT> {
  const safetensorsPath = join(dir, 'model.safetensors');
  const llmcPath = join(dir, 'model.bin');
  if (!existsSync(safetensorsPath) && existsSync(llmcPath)) return loadLlmc(llmcPath);
  const configPath = join(dir, 'config.json');
  if (!existsSync(configPath) || !existsSync(safetensorsPath))
    throw new GPTModelError(
      `${dir} lacks config.json or model.safetensors (or model.bin); point loadGPT2 at a Hugging Face GPT-2 folder or one written by model.save()`,
    );
  return gptFromSafetensors(
    JSON.parse(await readFile(configPath, 'utf8')),
    await readFile(safetensorsPath),
    dir,
  );
}

/**
 * Builds a GPT from a Hugging Face `config.json` (parsed) and `model.safetensors` bytes, with no file
 * system: what loadGPT2 does after reading the folder, and what a browser does with files the user
 * picked or fetched. `source` names the folder in errors.
 */
export function gptFromSafetensors(
  configJson: Record<string, unknown>,
  safetensors: Uint8Array,
  source: string,
): GPT {
  const folder = source.replace(/\/+$/, '');
  const configPath = `${folder}/config.json`;
  const safetensorsPath = `${folder}/model.safetensors`;
  const config = fromHuggingFaceConfig(configJson, configPath);
  assertFitsBackend(config, { batchSize: 1, sequenceLength: 1 });
  const { tensors } = decodeSafetensors(safetensors);
  const byName = new Map<string, SafetensorsTensor>();
  for (const [name, tensor] of Object.entries(tensors)) {
    const short = name.startsWith('transformer.') ? name.slice('transformer.'.length) : name;
    if (!ignored.test(short)) byName.set(short, tensor);
  }
  const weights: Record<string, Float32Array> = {};
  for (const spec of parameterSpecs(config)) {
    const tensor = byName.get(spec.name);
    if (!tensor)
      throw new GPTModelError(
        `${safetensorsPath} has no tensor ${spec.name} (nor transformer.${spec.name}); the file does not match its config.json`,
      );
    if (tensor.shape.join() !== spec.shape.join())
      throw new GPTModelError(
        `${safetensorsPath}: ${spec.name} has shape [${tensor.shape}], config.json implies [${spec.shape}]`,
      );
    weights[spec.name] = toFloat32(tensor);
  }
  return new GPT(config, { weights });
}

/** Loads an llm.c float32 checkpoint file (model.bin, gpt2_124M.bin, ...). */
export async function loadLlmc(path: string): Promise<GPT> {
  const { config, weights } = decodeLlmc(await readFile(path));
  return new GPT(config, { weights });
}
