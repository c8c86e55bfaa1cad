// Training tokens per second of whole steps (forward, backward, clipping, AdamW) through
// `lmkit-train bench --preset a|b` (gpt-model's two CPU configs, random tokens, median step after
// warm-up), with and without @lmkit/tfjs-native's kernels. Each row is a separate process.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export function run(): void {
  const rows: string[] = [];
  for (const preset of ['a', 'b']) {
    for (const native of [false, true]) {
      const args = [
        '--import',
        'tsx',
        '--conditions=source',
        join(repoRoot, 'apps/train/src/cli.ts'),
        'bench',
        '--preset',
        preset,
        '--steps',
        preset === 'a' ? '10' : '5',
      ];
      args.push(native ? '--native' : '--no-native');
      const child = spawnSync(process.execPath, args, { cwd: repoRoot, encoding: 'utf8' });
      const line = child.stdout.trim().split('\n').at(-1) ?? '';
      if (child.status !== 0 || !line.startsWith('{')) {
        rows.push(
          `| ${preset} | ${native ? 'wasm + native' : 'wasm'} | failed: ${child.stderr.trim().split('\n').at(-1)} | |`,
        );
        continue;
      }
      const result = JSON.parse(line);
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
