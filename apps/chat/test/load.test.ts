// A bounded loopback load test: rounds of 50 concurrent requests (streaming and not) against a
// one-slot server with a short line. Every request must get its full reply or a 429, none may
// hang, the queue must drain, and the heap must come back to its baseline after the rounds.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatServer, startChatServer } from '../src/server.ts';
import { scriptedEngine } from './helpers.ts';
import { post, readEvents } from './sse.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const concurrent = 50;
let server: ChatServer;

beforeAll(async () => {
  server = await startChatServer({
    engine: scriptedEngine(),
    port: 0,
    limits: { maxWaiting: 8 },
    log: () => {},
  });
});
afterAll(() => server.close());

/** One request: 'ok' with the exact reply, or 429; anything else (or a hang) fails the test. */
async function one(index: number): Promise<'ok' | 'busy'> {
  const stream = index % 2 === 0;
  const content = `request ${index}`;
  const response = await post(
    `${server.url}/v1/chat/completions`,
    { model: 'scripted', messages: [{ role: 'user', content }], stream, max_tokens: 40 },
    { signal: AbortSignal.timeout(30_000) },
  );
  if (response.status === 429) {
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await response.body?.cancel();
    return 'busy';
  }
  expect(response.status).toBe(200);
  let text: string;
  if (stream) {
    const events = await readEvents(response);
    expect(events.at(-1)).toBe('[DONE]');
    text = events
      .slice(0, -1)
      .map((event) => JSON.parse(event).choices[0]?.delta.content ?? '')
      .join('');
  } else {
    text = (await response.json()).choices[0].message.content;
  }
  expect(text).toBe(`You said: ${content}`);
  return 'ok';
}

async function round() {
  const outcomes = await Promise.all(Array.from({ length: concurrent }, (_, index) => one(index)));
  return {
    ok: outcomes.filter((outcome) => outcome === 'ok').length,
    busy: outcomes.filter((outcome) => outcome === 'busy').length,
  };
}

function heapAfterGc() {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe(`load: ${concurrent} concurrent requests`, () => {
  it('answers every request with a reply or a 429, drains, and returns to its memory baseline', async () => {
    await round(); // warm-up: lazy initialisation and connection pools count as baseline
    const baselineBytes = heapAfterGc();
    for (let index = 0; index < 3; index++) {
      const { ok, busy } = await round();
      expect(ok + busy).toBe(concurrent);
      expect(ok).toBeGreaterThanOrEqual(1 + 8); // the slot holder and the full line
      expect(busy).toBeGreaterThan(0);
      expect(server.stats()).toMatchObject({ active: 0, waiting: 0 });
    }
    const growthBytes = heapAfterGc() - baselineBytes;
    expect(growthBytes).toBeLessThan(4 * 1024 * 1024);
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
  });
});
