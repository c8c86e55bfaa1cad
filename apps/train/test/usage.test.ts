// lmkit-train's usage errors: each bad flag or path is one line naming the kebab-case flag, the
// value and the fix, exit status 2, no stack trace, before any data is read or model built.
// Run in-process through the CLI's entry function (tests/cli-convention.test.ts spawns it).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { trainCli } from '../src/cli.ts';
import { sampleHelp } from '../src/sample-command.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const text = join(repoRoot, 'data/text/tinyshakespeare.txt');

async function lmkitTrain(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await trainCli(args, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
  });
  return { code, stdout, stderr };
}

describe('lmkit-train usage errors', () => {
  it('refuses bad flags, values and paths with one line each and exit 2', async () => {
    const temp = mkdtempSync(join(tmpdir(), 'app-train-usage-'));
    const file = join(temp, 'a-file');
    writeFileSync(file, 'x');
    const cases: [string[], RegExp][] = [
      [['pretrain', '--bogus'], /^lmkit-train: unknown flag --bogus\.\n/],
      [
        ['sample', '--max-tokens', '5'],
        /unknown flag --max-tokens\. Did you mean --max-new-tokens\?/,
      ],
      [
        ['pretrain', '--maxMinutes', '3'],
        /unknown flag --maxMinutes\. Did you mean --max-minutes\?/,
      ],
      [['pretrian'], /unknown command "pretrian".* Did you mean pretrain\?/],
      [
        ['pretrain', '--text', join(temp, 'missing.txt'), '--max-steps', '2'],
        /--text .*missing\.txt: no such file/,
      ],
      [
        ['sft', '--base', temp, '--conversations', join(temp, 'none.jsonl')],
        /--conversations .*none\.jsonl: no such file/,
      ],
      [
        ['pretrain', '--train', join(temp, 'nope.bin'), '--max-steps', '2'],
        /--train .*nope\.bin: no such file/,
      ],
      [['pretrain', '--text', text, '--max-steps', '0'], /--max-steps 0: must be at least 1/],
      [
        ['pretrain', '--text', text, '--max-steps', 'abc'],
        /--max-steps abc: must be a finite number/,
      ],
      [
        ['pretrain', '--text', text, '--max-steps', '5', '--lr', '1e-3', '--min-lr', '1e-2'],
        /--min-lr 0\.01 is above --lr 0\.001/,
      ],
      [['pretrain', '--text', text], /no budget; give --max-steps, --max-tokens or --max-minutes/],
      [
        ['pretrain', '--text', text, '--max-steps', '5', '--out', file],
        /--out .*a-file is a file, not a folder/,
      ],
      [
        ['pretrain', '--text', text, '--max-steps', '5', '--out', join(file, 'run')],
        /a-file is a file, so no folder can be made below it/,
      ],
      [
        ['pretrain', '--text', text, '--max-steps', '5', '--resume=x'],
        /--resume=x: write --resume-from x/,
      ],
      [['sample', '--checkpoint', temp, '--top-p', '1.5'], /--top-p 1\.5: must be at most 1/],
      [['bench', '--steps', '-5'], /--steps -5: must be at least 1/],
    ];
    for (const [args, message] of cases) {
      const run = await lmkitTrain(args);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(run.stderr.trim().split('\n')).toHaveLength(2);
    }
  });

  it('prints --version, and the shared sampling flags in sample --help', async () => {
    const version = await lmkitTrain(['--version']);
    expect(version).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^lmkit-train \d+\.\d+\.\d+/),
    });
    expect(sampleHelp).toMatch(
      /--temperature X[\s\S]*--top-k K[\s\S]*--top-p P[\s\S]*--max-new-tokens N[\s\S]*--seed N/,
    );
  });
});
