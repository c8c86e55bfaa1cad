// Checkpoints without a manifest.json: the safetensors layout is checked against itself and
// config.json (a damaged header or a wrong size is refused), the server says that the weights'
// integrity cannot be checked; and a base checkpoint (no chat markers) is served on
// /v1/completions only.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setBackend } from '@lmkit/gpt-model';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTinyCheckpoint } from '../test/tiny-checkpoint.ts';
import { CheckpointError } from './errors.ts';
import { loadChatEngine } from './model-engine.ts';
import { startChatServer } from './server.ts';
import { checkSafetensorsLayout } from './weights-check.ts';

let root: string;
let plain: string;

beforeAll(async () => {
  await setBackend('auto');
  root = mkdtempSync(join(tmpdir(), 'lmkit-chat-integrity-'));
  plain = join(root, 'plain');
  await buildTinyCheckpoint(plain, { manifest: false, blockSize: 32 });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A copy of the plain checkpoint whose model.safetensors went through `damage`. */
function damaged(name: string, damage: (bytes: Buffer) => Buffer) {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const file of ['config.json', 'tokenizer.json', 'model.safetensors']) {
    const bytes = readFileSync(join(plain, file));
    writeFileSync(join(dir, file), file === 'model.safetensors' ? damage(bytes) : bytes, {
      flag: 'w',
    });
  }
  return dir;
}

function headerLength(bytes: Buffer) {
  return Number(bytes.readBigUInt64LE(0));
}

describe('a checkpoint without manifest.json', () => {
  it('loads, and says that the integrity of the weights cannot be checked', async () => {
    const engine = await loadChatEngine({ dir: plain });
    try {
      expect(engine.notes.join('\n')).toMatch(
        /no manifest\.json.*header and sizes were checked.*integrity of the weights cannot be checked/,
      );
    } finally {
      engine.dispose?.();
    }
  });

  it.each([
    [
      'a damaged header byte',
      (bytes: Buffer) => {
        const copy = Buffer.from(bytes);
        copy[8] = '['.charCodeAt(0); // the header's opening brace
        return copy;
      },
      /header is not valid JSON/,
    ],
    [
      'a truncated file',
      (bytes: Buffer) => bytes.subarray(0, bytes.length - 4),
      /truncated or padded/,
    ],
    [
      'bytes appended',
      (bytes: Buffer) => Buffer.concat([bytes, Buffer.alloc(4)]),
      /truncated or padded/,
    ],
    [
      'a header length past the end',
      (bytes: Buffer) => {
        const copy = Buffer.from(bytes);
        copy.writeBigUInt64LE(BigInt(bytes.length), 0);
        return copy;
      },
      /header claims \d+ bytes but the file has/,
    ],
    [
      'a tensor size that does not match its shape',
      (bytes: Buffer) => {
        const length = headerLength(bytes);
        const header = JSON.parse(bytes.subarray(8, 8 + length).toString('utf8'));
        const name = Object.keys(header).find((key) => key !== '__metadata__')!;
        header[name].shape = [...header[name].shape.slice(0, -1), header[name].shape.at(-1) + 1];
        let text = JSON.stringify(header);
        text = text.padEnd(length, ' ');
        return Buffer.concat([bytes.subarray(0, 8), Buffer.from(text), bytes.subarray(8 + length)]);
      },
      /spans \d+ bytes but shape/,
    ],
  ])('refuses %s in one sentence naming the file', async (name, damage, message) => {
    const dir = damaged(name.replaceAll(' ', '-'), damage);
    expect(() => checkSafetensorsLayout(join(dir, 'model.safetensors'))).toThrow(message);
    const load = loadChatEngine({ dir });
    await expect(load).rejects.toBeInstanceOf(CheckpointError);
    await expect(load).rejects.toThrow(/model\.safetensors is corrupt: .*restore the folder/);
  });
});

describe('a base checkpoint', () => {
  it('is served on /v1/completions, and the chat endpoint says to use it', async () => {
    const dir = join(root, 'base-model');
    await buildTinyCheckpoint(dir, { base: true, blockSize: 32 });
    const engine = await loadChatEngine({ dir });
    const server = await startChatServer({ engine, port: 0, log: () => {} });
    try {
      expect(engine.chat).toBe(false);
      expect(engine.notes.join('\n')).toMatch(
        /served as a base model: POST \/v1\/completions only/,
      );
      const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'unused', maxRetries: 0 });
      const completion = await client.completions.create({
        model: 'base-model',
        prompt: 'First Citizen:',
        max_tokens: 6,
        temperature: 0,
      });
      expect(completion.usage).toMatchObject({ completion_tokens: expect.any(Number) });
      expect(completion.usage!.completion_tokens).toBeGreaterThan(0);
      expect(completion.choices[0].finish_reason).toMatch(/^(stop|length)$/);
      const chat = client.chat.completions.create({
        model: 'base-model',
        messages: [{ role: 'user', content: 'hi' }],
      });
      await expect(chat).rejects.toBeInstanceOf(OpenAI.NotFoundError);
      await expect(chat).rejects.toMatchObject({ code: 'model_not_chat' });
    } finally {
      await server.close();
      engine.dispose?.();
    }
  });
});
