// What serving costs: the same greedy generation (a 4-layer GPT, 64 new tokens) called directly,
// through POST /v1/chat/completions, and streamed as server-sent events; then 32 concurrent short
// requests through the one-slot queue against the same 32 generations in a loop.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chatSpecialTokens, saveTokenizer, trainBpe } from '@lmkit/bpe';
import { GPT, setBackend } from '@lmkit/gpt-model';
import { loadChatEngine } from '../apps/chat/src/model-engine.ts';
import { startChatServer } from '../apps/chat/src/server.ts';
import { type BenchResult, median, printTable } from './harness.ts';

/** Interleaved rounds of async contenders (the harness's bench() times synchronous work). */
async function benchAsync(options: {
  title: string;
  contenders: { name: string; run: () => Promise<unknown> }[];
  baseline: string;
  rounds: number;
  units: { amount: number; label: string };
}) {
  const samples = new Map(options.contenders.map((c) => [c.name, [] as number[]]));
  for (let round = 0; round < options.rounds + 1; round++) {
    for (let k = 0; k < options.contenders.length; k++) {
      const contender = options.contenders[(round + k) % options.contenders.length];
      const started = performance.now();
      await contender.run();
      if (round > 0) samples.get(contender.name)!.push(performance.now() - started);
    }
  }
  const baselineMs = median(samples.get(options.baseline)!);
  const results = options.contenders.map((c): BenchResult => {
    const medianMs = median(samples.get(c.name)!);
    return {
      name: c.name,
      medianMs,
      samplesMs: samples.get(c.name)!,
      unitsPerSecond: options.units.amount / (medianMs / 1000),
      speedupVsBaseline: baselineMs / medianMs,
    };
  });
  printTable(options, results, options.baseline);
}

export async function run() {
  const backend = await setBackend('auto');
  const root = mkdtempSync(join(tmpdir(), 'lmkit-chat-bench-'));
  const dir = join(root, 'bench-model');
  const text = readFileSync(new URL('../data/text/tinyshakespeare.txt', import.meta.url), 'utf8');
  const tokenizer = await trainBpe({
    texts: text.slice(0, 50_000).split('\n\n'),
    vocabSize: 512,
    pattern: 'cl100k_base',
    specialTokens: chatSpecialTokens,
  });
  const config = {
    vocabSize: tokenizer.vocabSize,
    blockSize: 256,
    nLayer: 4,
    nHead: 4,
    nEmbd: 128,
    dropout: 0,
    bias: true,
  };
  const model = new GPT(config, { seed: 1 });
  await model.save(dir);
  model.dispose();
  await saveTokenizer(tokenizer, join(dir, 'tokenizer.json'));
  const loaded = await loadChatEngine({ dir });
  // No stop ids: every contender generates exactly max_tokens tokens.
  const engine = { ...loaded, stopTokenIds: [] };
  const server = await startChatServer({
    engine,
    port: 0,
    limits: { maxWaiting: 64 },
    log: () => {},
  });
  const messages = [{ role: 'user' as const, content: 'Good morrow, what news?' }];
  const promptIds = engine.render(messages, { addGenerationPrompt: true }).ids;
  const direct = async (maxNewTokens: number) => {
    let count = 0;
    const options = { maxNewTokens, temperature: 0, topP: 1, stopTokenIds: [], seed: 1 };
    for await (const _ of engine.generate(promptIds, options)) count++;
    return count;
  };
  const request = (maxTokens: number, stream: boolean) =>
    fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: engine.modelId,
        messages,
        max_tokens: maxTokens,
        temperature: 0,
        stream,
      }),
    }).then((response) => response.text());
  try {
    await benchAsync({
      title: `chat serving: 64 greedy tokens from a 4-layer GPT (d=128, ${backend}), one request`,
      units: { amount: 64, label: 'tokens' },
      rounds: 5,
      baseline: 'engine.generate (direct)',
      contenders: [
        { name: 'engine.generate (direct)', run: () => direct(64) },
        { name: 'POST /v1/chat/completions', run: () => request(64, false) },
        { name: 'POST /v1/chat/completions, stream (SSE)', run: () => request(64, true) },
      ],
    });
    await benchAsync({
      title: `chat serving: 32 requests of 8 tokens (${backend})`,
      units: { amount: 32, label: 'requests' },
      rounds: 3,
      baseline: '32 direct generations in a loop',
      contenders: [
        {
          name: '32 direct generations in a loop',
          run: async () => {
            for (let index = 0; index < 32; index++) await direct(8);
          },
        },
        {
          name: '32 concurrent HTTP requests (queued)',
          run: () => Promise.all(Array.from({ length: 32 }, () => request(8, false))),
        },
      ],
    });
  } finally {
    await server.close();
    loaded.dispose?.();
    rmSync(root, { recursive: true, force: true });
  }
}
