// Runs every `*.bench.ts` in this folder (or those whose names contain an argument):
// `pnpm bench` or `pnpm bench bpe`. Each file exports `run()` and prints Markdown tables.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineLine } from './harness.ts';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();

console.log(`# lmkit benchmarks\n\nMachine: ${await machineLine()}`);
for (const file of files) {
  console.log(`\n# ${file}`);
  const module = (await import(join(here, file))) as { run: () => Promise<void> | void };
  await module.run();
}
