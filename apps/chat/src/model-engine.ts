// The real engine: an lmkit chat checkpoint folder (Hugging Face GPT-2 config.json +
// model.safetensors, and bpe's tokenizer.json), checked against its manifest.json when there is
// one, served through gpt-model's KV-cache sampler and chat-template's renderer.
import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { loadTokenizer, Tokenizer } from '@lmkit/bpe';
import { type GPT, loadGPT2 } from '@lmkit/gpt-model';
import { listCheckpoints, loadCheckpoint } from '@lmkit/trainer';
import type { ChatEngine } from './engine.ts';
import { ChatServerError } from './errors.ts';
import { renderConversation } from './render.ts';

/** A checkpoint folder that cannot be served; the message says what to do. */
export class CheckpointError extends ChatServerError {
  constructor(message: string) {
    super({ status: 500, type: 'server_error', message });
    this.name = 'CheckpointError';
  }
}

export interface LoadChatEngineOptions {
  /** The checkpoint folder, or a trainer run folder holding `step-NNNNNNNN` checkpoints (the newest is served). */
  dir: string;
  /** The id clients pass as `model`; default the folder's name. */
  modelId?: string;
}

const requiredFiles = ['config.json', 'model.safetensors', 'tokenizer.json'];

export async function loadChatEngine(options: LoadChatEngineOptions): Promise<ChatEngine> {
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
  if (tokenizer.specialTokenId('<|im_end|>') === undefined) {
    model.dispose();
    throw new CheckpointError(
      `${dir}: the tokenizer has no <|im_end|> special token, so replies could never end; serve a checkpoint trained with the chat markers`,
    );
  }
  return {
    modelId: options.modelId ?? basename(given),
    contextTokens: blockSize,
    tokenizer,
    stopTokenIds,
    render: (messages, renderOptions) => renderConversation(messages, tokenizer, renderOptions),
    generate(promptIds, sampling) {
      return model.generate(promptIds, {
        maxNewTokens: sampling.maxNewTokens,
        temperature: sampling.temperature,
        topP: sampling.topP < 1 ? sampling.topP : undefined,
        stop: sampling.stopTokenIds,
        seed: sampling.seed,
      });
    },
    dispose: () => model.dispose(),
  };
}
