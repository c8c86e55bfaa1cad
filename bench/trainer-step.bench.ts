// Training tokens per second of whole steps (forward, backward, clipping, AdamW) through
// `lmkit-train bench --preset a|b` (gpt-model's two CPU configs, random tokens, median step after
// warm-up), with and without @lmkit/tfjs-native's kernels. Each row is a separate process.
import { lmkitTrainBench } from './harness.ts';

export function run(): void {
  const rows: string[] = [];
  for (const preset of ['a', 'b'] as const) {
    for (const native of [false, true]) {
      const result = lmkitTrainBench({ preset, steps: preset === 'a' ? 10 : 5, native });
      if ('error' in result) {
        rows.push(`| ${preset} | ${native ? 'wasm + native' : 'wasm'} | ${result.error} | |`);
        continue;
      }
      const backend = String(result.backend)
        .replace(/^backend /, '')
        .replace(/ \+ native .*$/, ' + native kernels');
      rows.push(
        `| ${preset} | ${backend} | ${result.tokens_per_second} | ${result.median_step_ms} |`,
      );
    }
  }
  console.log('\n## lmkit-train bench: training tokens/s (median step after warm-up)');
  console.log('| preset | backend | tokens/s | median step ms |');
  console.log('| --- | --- | --- | --- |');
  for (const row of rows) console.log(row);
}
