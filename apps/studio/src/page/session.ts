// What the studio tab does with a checkpoint, without the DOM: open it from files (fetched from the
// studio server or picked from disk), chat with it through the KV cache, fine-tune it on conversations
// with the same rows and loss mask as `lmkit-train sft` (chat-template's render → trainer's
// buildSftRows, AdamW, global-norm clipping), and write it back out as a checkpoint folder.
// Every read-back from the GPU is asynchronous.
import { type Tokenizer, tokenizerFromJSON } from '@lmkit/bpe';
import { markerIds, render } from '@lmkit/chat-template';
import { type Conversation, type Message, SeededRandom } from '@lmkit/core';
import {
  encodeSafetensors,
  type GPT,
  gptFromSafetensors,
  tf,
  toHuggingFaceConfig,
} from '@lmkit/gpt-model';
import {
  AdamW,
  type BatchSource,
  buildSftRows,
  clipCoefficient,
  computeGradients,
  gatherRows,
  gradientNorm,
  type SftRows,
} from '@lmkit/trainer';

export interface CheckpointFiles {
  'config.json': Uint8Array;
  'model.safetensors': Uint8Array;
  'tokenizer.json': Uint8Array;
  'manifest.json'?: Uint8Array;
}

export interface Session {
  model: GPT;
  tokenizer: Tokenizer;
  tokenizerJson: unknown;
  /** Fine-tuning steps taken in this tab. */
  steps: number;
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Opens a checkpoint from its files; with a manifest, every file's sha256 and size must match it
 * (as the trainer and the chat server check).
 */
export async function openCheckpoint(files: CheckpointFiles, source: string): Promise<Session> {
  if (files['manifest.json']) {
    const manifest = JSON.parse(text(files['manifest.json'])) as {
      files: Record<string, { sha256: string; bytes: number }>;
    };
    for (const name of ['config.json', 'model.safetensors', 'tokenizer.json'] as const) {
      const expected = manifest.files?.[name];
      if (!expected) continue;
      const bytes = files[name];
      if (bytes.length !== expected.bytes || (await sha256(bytes)) !== expected.sha256)
        throw new Error(
          `${source}/${name} does not match manifest.json (${bytes.length} bytes, expected ${expected.bytes}); the checkpoint is damaged: open another one`,
        );
    }
  }
  const tokenizerJson = JSON.parse(text(files['tokenizer.json']));
  const tokenizer = tokenizerFromJSON(tokenizerJson);
  const model = gptFromSafetensors(
    JSON.parse(text(files['config.json'])),
    files['model.safetensors'],
    source,
  );
  if (tokenizer.vocabSize > model.config.vocabSize)
    throw new Error(
      `${source}: tokenizer.json has ${tokenizer.vocabSize} tokens but the model only ${model.config.vocabSize}; open a folder whose files belong together`,
    );
  markerIds(tokenizer); // throws naming the missing chat marker: a base model cannot chat
  return { model, tokenizer, tokenizerJson, steps: 0 };
}

export interface ReplyOptions {
  maxNewTokens?: number;
  temperature?: number;
  topK?: number;
  seed?: number;
}

/**
 * Streams the assistant's reply to `messages` as text pieces. The conversation is cropped to the
 * context (oldest turns first) so that the reply has room; generation stops at `<|im_end|>`.
 */
export async function* reply(
  session: Session,
  messages: Message[],
  options: ReplyOptions = {},
): AsyncGenerator<string> {
  const { model, tokenizer } = session;
  const context = model.config.blockSize;
  const wanted = options.maxNewTokens ?? 128;
  const room = Math.max(1, Math.min(wanted, Math.floor(context / 2)));
  const { ids } = render({ messages }, tokenizer, {
    addGenerationPrompt: true,
    maxTokens: context - room,
  });
  const imEnd = markerIds(tokenizer).imEnd;
  const produced: number[] = [];
  let shown = '';
  for await (const id of model.generate(ids, {
    maxNewTokens: Math.min(room, context - ids.length),
    temperature: options.temperature ?? 0.8,
    topK: options.topK ?? 40,
    seed: options.seed,
    stop: [imEnd],
  })) {
    if (id === imEnd) break;
    produced.push(id);
    const decoded = tokenizer.decode(produced);
    // Hold back a trailing replacement character: the rest of its UTF-8 sequence may follow.
    const stable = decoded.endsWith('\uFFFD') ? decoded.slice(0, -1) : decoded;
    if (stable.length > shown.length) {
      yield stable.slice(shown.length);
      shown = stable;
    }
  }
  const final = tokenizer.decode(produced);
  if (final.length > shown.length) yield final.slice(shown.length);
}

/** Conversations from JSONL text (`{ "messages": [...] }` per line); bad lines are counted. */
export function parseConversations(jsonl: string): {
  conversations: Conversation[];
  skipped: { line: number; reason: string }[];
} {
  const conversations: Conversation[] = [];
  const skipped: { line: number; reason: string }[] = [];
  jsonl.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      const value = JSON.parse(line) as Conversation;
      if (!Array.isArray(value?.messages) || value.messages.length === 0)
        skipped.push({ line: index + 1, reason: 'no messages array' });
      else conversations.push(value);
    } catch {
      skipped.push({ line: index + 1, reason: 'not JSON' });
    }
  });
  return { conversations, skipped };
}

export interface FineTuneOptions {
  conversations: Conversation[];
  steps: number;
  /** Default 1e-4 (lmkit-train sft's default is in the same range for small models). */
  learningRate?: number;
  /** Rows per step; default 4. */
  batchSize?: number;
  /** Default 1.0, as the trainer. */
  gradientClip?: number;
  seed?: number;
  onStep?: (step: number, loss: number) => void;
  /** Checked before each step; true ends the run after the current step. */
  shouldStop?: () => boolean;
}

/** SFT rows as `lmkit-train sft` builds them: assistant tokens count, one conversation per row. */
export function sftRows(session: Session, conversations: Conversation[]): SftRows {
  const sequenceLength = Math.min(128, session.model.config.blockSize);
  const examples = conversations.map((conversation) => {
    const { ids, lossMask } = render(conversation, session.tokenizer, {
      maxTokens: sequenceLength + 1,
    });
    return { ids, lossMask };
  });
  return buildSftRows({ examples, sequenceLength, packing: 'pad' });
}

/** Fine-tunes in the tab; returns the losses of the steps taken. */
export async function fineTune(session: Session, options: FineTuneOptions): Promise<number[]> {
  const rows = sftRows(session, options.conversations);
  if (rows.rows === 0)
    throw new Error(
      `none of the ${options.conversations.length} conversations has an assistant token within the context; check the file`,
    );
  const { model } = session;
  const batchSize = Math.min(options.batchSize ?? 4, rows.rows);
  const random = new SeededRandom(options.seed ?? 0);
  // Random rows each step, as gatherRows batches: the trainer's own step arithmetic takes it from here.
  const source: BatchSource = {
    next: () =>
      gatherRows(
        rows,
        Array.from({ length: batchSize }, () => random.nextInt(rows.rows)),
      ),
    cursor: () => random.state(),
  };
  const optimizer = new AdamW(model.parameters, { weightDecay: 0 });
  const losses: number[] = [];
  try {
    for (let step = 1; step <= options.steps && !options.shouldStop?.(); step++) {
      const { gradients, loss } = await computeGradients({
        model,
        source,
        accumulation: 1,
        random,
        step,
      });
      optimizer.apply(gradients, options.learningRate ?? 1e-4, {
        gradientScale: clipCoefficient(await gradientNorm(gradients), options.gradientClip ?? 1),
      });
      tf.dispose(Object.values(gradients));
      losses.push(loss);
      session.steps++;
      options.onStep?.(step, loss);
    }
  } finally {
    optimizer.dispose();
  }
  return losses;
}

/**
 * The checkpoint folder's files: config.json, model.safetensors, tokenizer.json and a manifest with
 * each file's sha256 and size, in the format the trainer writes and `pnpm chat` serves.
 */
export async function exportCheckpoint(session: Session): Promise<Map<string, Uint8Array>> {
  const { model } = session;
  const tensors: Record<string, { dtype: 'F32'; shape: number[]; data: Float32Array }> = {};
  for (const [name, variable] of model.parameters)
    tensors[name] = {
      dtype: 'F32',
      shape: variable.shape,
      data: new Float32Array(await variable.data()),
    };
  const encoder = new TextEncoder();
  const files = new Map<string, Uint8Array>([
    [
      'config.json',
      encoder.encode(`${JSON.stringify(toHuggingFaceConfig(model.config), null, 2)}\n`),
    ],
    ['model.safetensors', encodeSafetensors(tensors, { format: 'pt' })],
    ['tokenizer.json', encoder.encode(JSON.stringify(session.tokenizerJson))],
  ]);
  const manifest = {
    formatVersion: 1,
    step: session.steps,
    createdAt: new Date().toISOString(),
    files: Object.fromEntries(
      await Promise.all(
        [...files].map(async ([name, bytes]) => [
          name,
          { sha256: await sha256(bytes), bytes: bytes.length },
        ]),
      ),
    ),
  };
  files.set('manifest.json', encoder.encode(`${JSON.stringify(manifest, null, 2)}\n`));
  return files;
}

/** Logits of the last position for `ids`, for checks (the test compares them with Node's). */
export async function lastLogits(session: Session, ids: number[]): Promise<number[]> {
  const logits = session.model.logits([ids]);
  const values = await logits.data();
  logits.dispose();
  const vocab = session.model.config.vocabSize;
  return [...values.subarray(values.length - vocab)];
}
