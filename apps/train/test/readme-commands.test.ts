// The command lines the trainer README documents, run as written with cheap overrides appended
// (later flags win: 2 steps, a temp run folder, the wasm backend), so the docs cannot drift from
// the CLI: a renamed flag or a default that fails (T over the block size) fails this test.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { trainCli } from '../src/cli.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** `pnpm lmkit-train …` commands quoted in backticks in a README (line breaks inside allowed). */
function documentedCommands(readme: string): string[][] {
  return [...readme.matchAll(/`pnpm lmkit-train ([^`]+)`/g)].map((m) => m[1].trim().split(/\s+/));
}

async function run(args: string[]) {
  let output = '';
  const write = (text: string) => {
    output += text;
  };
  const previous = process.cwd();
  process.chdir(repoRoot);
  try {
    const code = await trainCli(args, { stdout: write, stderr: write });
    return { code, output };
  } finally {
    process.chdir(previous);
  }
}

describe('the trainer README commands', () => {
  it('pretrain then sft run as documented (with 2 steps)', async () => {
    const readme = readFileSync(join(repoRoot, 'packages/trainer/README.md'), 'utf8');
    const [pretrain, sft] = documentedCommands(readme);
    expect(pretrain.slice(0, 3)).toEqual(['pretrain', '--text', 'data/text/tinyshakespeare.txt']);
    expect(pretrain).toContain('--max-steps');
    expect(sft[0]).toBe('sft');
    const cheap = ['--max-steps', '2', '--eval-batches', '1', '--backend', 'wasm', '--no-native'];
    const pretrainOut = mkdtempSync(join(tmpdir(), 'readme-pretrain-'));
    const first = await run([...pretrain, ...cheap, '--out', pretrainOut]);
    expect(first.code, first.output).toBe(0);
    const checkpoint = join(pretrainOut, 'checkpoints', 'step-00000002');
    const documentedBase = sft[sft.indexOf('--base') + 1];
    expect(documentedBase).toMatch(/^runs\/train\/pretrain\/checkpoints\/step-\d{8}$/);
    const sftArgs = sft.map((arg) => (arg === documentedBase ? checkpoint : arg));
    const sftOut = mkdtempSync(join(tmpdir(), 'readme-sft-'));
    const second = await run([...sftArgs, ...cheap, '--reply-prompts', '0', '--out', sftOut]);
    expect(second.code, second.output).toBe(0);
  }, 300_000);
});
