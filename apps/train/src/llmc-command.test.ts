// `lmkit-train llmc prepare|import` from the command line: a run config in, an llm.c folder out,
// and llm.c's log folder (a bfloat16 checkpoint and main.log) back into an lmkit run folder.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tokenizerToJSON, trainBpe } from '@lmkit/bpe';
import { decodeLlmc, encodeLlmc } from '@lmkit/gpt-model';
import { loadCheckpoint, readMetrics } from '@lmkit/trainer';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { prepareByteData } from './byte-data.ts';
import { llmcCommand } from './llmc-command.ts';

const repo = fileURLToPath(new URL('../../..', import.meta.url));

describe('lmkit-train llmc (command line)', () => {
  let root: string;
  const printed: string[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'lmkit-llmc-cli-'));
    vi.spyOn(console, 'log').mockImplementation((line: string) => void printed.push(line));
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const text = join(root, 'text.txt');
    writeFileSync(
      text,
      readFileSync(join(repo, 'data/text/tinyshakespeare.txt'), 'utf8').slice(0, 20_000),
    );
    const data = await prepareByteData({ text, dir: join(root, 'shards') });
    const bytes = await trainBpe({ texts: [], vocabSize: 256, name: 'bytes' });
    writeFileSync(join(root, 'tokenizer.json'), JSON.stringify(tokenizerToJSON(bytes)));
    writeFileSync(
      join(root, 'run.json'),
      JSON.stringify({
        model: { nLayer: 1, nHead: 2, nEmbd: 32, blockSize: 32 },
        train: [data.train],
        val: [data.val],
        tokenizer: 'tokenizer.json',
        training: { batchSize: 2, sequenceLength: 32, maxSteps: 6, schedule: { kind: 'constant' } },
      }),
    );
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    await rm(root, { recursive: true, force: true });
  });

  it('prepares an llm.c folder from a run config, flags overriding it', async () => {
    const out = join(root, 'llmc');
    const args = ['prepare', '--config', join(root, 'run.json'), '--out', out];
    expect(await llmcCommand([...args, '--max-steps', '4', '--dtype', 'bfloat16'])).toBe(0);
    const text = printed.join('\n');
    expect(text).toContain(`llm.c run folder ${out}: 4 steps of 64 tokens (B 2, T 32)`);
    expect(text).toContain('-k constant -u 0');
    expect(text).toMatch(
      /note: the tokenizer has no <\|endoftext\|>; llm\.c starts its samples from id 0/,
    );
    const { config, dtype } = decodeLlmc(readFileSync(join(out, 'model_00000000.bin')));
    expect(dtype).toBe('bfloat16');
    expect(config).toMatchObject({ vocabSize: 256, nLayer: 1, nEmbd: 32, blockSize: 32 });
    for (const name of [
      'launch.sh',
      'sbatch.sh',
      'run-cpu.sh',
      'gpt2_tokenizer.bin',
      'data/val_000000.bin',
    ])
      expect(existsSync(join(out, name))).toBe(true);
  });

  it("imports llm.c's newest checkpoint and main.log into a run folder", async () => {
    const from = join(root, 'llmc');
    await mkdir(join(from, 'log'), { recursive: true });
    const { config, weights } = decodeLlmc(readFileSync(join(from, 'model_00000000.bin')));
    const map = new Map(Object.entries(weights));
    for (const step of [2, 4])
      writeFileSync(
        join(from, 'log', `model_0000000${step}.bin`),
        encodeLlmc(config, map, { dtype: 'bfloat16' }),
      );
    writeFileSync(
      join(from, 'log', 'main.log'),
      's:0 tel:5.5400\ns:0 trl:5.5500 lr:0.000600 norm:1.20\ns:1 trl:5.3000 lr:0.000600 norm:1.10\ns:2 tel:5.2000\n',
    );
    const out = join(root, 'back');
    expect(await llmcCommand(['import', '--from', from, '--out', out])).toBe(0);
    const loaded = await loadCheckpoint(join(out, 'checkpoints', 'step-00000004'));
    expect(loaded.model.config).toEqual(config);
    loaded.model.dispose();
    const records = readMetrics(join(out, 'metrics.jsonl'));
    expect(records.map((r) => [r.type, r.step, r.tokensSeen])).toEqual([
      ['val', 0, 0],
      ['train', 1, 64],
      ['train', 2, 128],
      ['val', 2, 128],
    ]);
    expect(existsSync(join(out, 'loss.svg'))).toBe(true);
  });

  it('says what is missing as a usage error', async () => {
    await expect(llmcCommand(['prepare', '--config', join(root, 'run.json')])).rejects.toThrow(
      /needs --out DIR/,
    );
    await expect(llmcCommand(['import', '--out', join(root, 'x')])).rejects.toThrow(
      /needs --out RUN and --from DIR/,
    );
    await expect(llmcCommand(['launch'])).rejects.toThrow(/unknown llmc action "launch"/);
  });
});
