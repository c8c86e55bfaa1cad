// The real engine: an lmkit chat checkpoint folder (Hugging Face GPT-2 config.json +
// model.safetensors, and bpe's tokenizer.json), checked against its manifest.json when there is
// one, served through gpt-model's KV-cache sampler and chat-template's renderer.
import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { loadTokenizer, Tokenizer } from '@lmkit/bpe';
import { IM_END, IM_SEP, IM_START } from '@lmkit/core';
import { type GPT, listCheckpoints, loadCheckpoint, loadGPT2 } from '@lmkit/gpt-model';
import type { ChatEngine } from './engine.ts';
import { CheckpointError } from './errors.ts';
import { renderConversation } from './render.ts';
import { checkSafetensorsLayout } from './weights-check.ts';

export { CheckpointError };

export interface LoadChatEngineOptions {
  /** The checkpoint folder, or a trainer run folder holding `step-NNNNNNNN` checkpoints (the newest is served). */
  dir: string;
  /** The id clients pass as `model`; default the folder's name. */
  modelId?: string;
}

const chatMarkers = [IM_START, IM_SEP, IM_END];
const requiredFiles = ['config.json', 'model.safetensors', 'tokenizer.json'];

export async function loadChatEngine(
  options: LoadChatEngineOptions,
): Promise<ChatEngine & { readonly notes: string[] }> {
  const given = resolve(options.dir);
  if (!existsSync(given) || !statSync(given).isDirectory()) {
    throw new CheckpointError(
      `no checkpoint folder at ${given}; run \`pnpm speedrun\` first to train one, or pass --checkpoint PATH`,
    );
  }
  // A run folder of trainer checkpoints: serve the newest one.
  const steps = existsSync(join(given, 'config.json')) ? [] : listCheckpoints(given);
  const dir = steps.at(-1)?.dir ?? given;
  const missing = requiredFiles.filter((name) => !existsSync(join(dir, name)));
  if (missing.length > 0) {
    throw new CheckpointError(
      `${dir} lacks ${missing.join(', ')}; a chat checkpoint holds ${requiredFiles.join(', ')} (the speedrun writes one to runs/speedrun/chat-model)`,
    );
  }
  let model: GPT;
  let tokenizer: Tokenizer;
  const notes: string[] = [];
  if (existsSync(join(dir, 'manifest.json'))) {
    // A trainer checkpoint: every file is checked against its sha256 before anything loads.
    let loaded: Awaited<ReturnType<typeof loadCheckpoint>>;
    try {
      loaded = await loadCheckpoint(dir);
    } catch (error) {
      throw new CheckpointError(
        `checkpoint ${dir} failed its manifest check: ${(error as Error).message}`,
      );
    }
    model = loaded.model;
    try {
      tokenizer = Tokenizer.fromJSON(loaded.tokenizerJson);
    } catch (error) {
      model.dispose();
      throw new CheckpointError(
        `${dir}/tokenizer.json is not a tokenizer file: ${(error as Error).message}`,
      );
    }
  } else {
    // No checksums to compare: check the weights file's structure; contents cannot be checked.
    checkSafetensorsLayout(join(dir, 'model.safetensors'));
    notes.push(
      `${dir} has no manifest.json: the safetensors header and sizes were checked against config.json, but the integrity of the weights cannot be checked`,
    );
    try {
      tokenizer = await loadTokenizer(join(dir, 'tokenizer.json'));
      model = await loadGPT2(dir);
    } catch (error) {
      throw new CheckpointError(`cannot load the checkpoint ${dir}: ${(error as Error).message}`);
    }
  }
  const { vocabSize, blockSize } = model.config;
  if (tokenizer.vocabSize > vocabSize) {
    model.dispose();
    throw new CheckpointError(
      `${dir}: the tokenizer has ${tokenizer.vocabSize} tokens but the model only ${vocabSize} embedding rows; the tokenizer.json does not belong to this model`,
    );
  }
  const stopTokenIds = ['<|im_end|>', '<|endoftext|>']
    .map((name) => tokenizer.specialTokenId(name))
    .filter((id): id is number => id !== undefined);
  // A base model (no chat markers) is served for text completions only.
  const chat = chatMarkers.every((name) => tokenizer.specialTokenId(name) !== undefined);
  if (!chat) {
    notes.push(
      `${dir}: the tokenizer has no chat markers (${chatMarkers.join(' ')}), so this is served as a base model: POST /v1/completions only`,
    );
  }
  return {
    modelId: options.modelId ?? basename(given),
    contextTokens: blockSize,
    tokenizer,
    stopTokenIds,
    chat,
    notes,
    render(messages, renderOptions) {
      if (!chat) throw new CheckpointError(`${dir} is a base model: it has no chat template`);
      return renderConversation(messages, tokenizer, renderOptions);
    },
    generate(promptIds, sampling) {
      return model.generate(promptIds, {
        maxNewTokens: sampling.maxNewTokens,
        temperature: sampling.temperature,
        topP: sampling.topP < 1 ? sampling.topP : undefined,
        topK: sampling.topK,
        stop: sampling.stopTokenIds,
        seed: sampling.seed,
      });
    },
    dispose: () => model.dispose(),
  };
}
