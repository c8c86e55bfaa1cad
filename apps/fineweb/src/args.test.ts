// lmkit-fineweb's usage errors through the CLI's entry function: a bad number, a missing folder
// or an output that is a file is one line naming the flag, exit 2 (or 1 for a missing input),
// and nothing is written.
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { finewebCli } from './cli.ts';

async function fineweb(args: string[], cwd: string) {
  let stderr = '';
  const previous = process.env.INIT_CWD;
  process.env.INIT_CWD = cwd;
  try {
    const code = await finewebCli(args, {
      stdout: () => {},
      stderr: (t) => {
        stderr += t;
      },
    });
    return { code, stderr };
  } finally {
    if (previous === undefined) delete process.env.INIT_CWD;
    else process.env.INIT_CWD = previous;
  }
}

describe('lmkit-fineweb flags', () => {
  it('refuses bad values, missing folders and unusable outputs in one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fineweb-args-'));
    writeFileSync(join(dir, 'docs.jsonl'), '{"id":"a","text":"hello there"}\n');
    writeFileSync(join(dir, 'a-file'), 'x');
    const run = ['run', '-i', 'docs.jsonl', '-o', 'out'];
    const cases: [string[], number, RegExp][] = [
      [['run', '--bogus'], 2, /^lmkit-fineweb: unknown flag --bogus\.\n/],
      [['run', '--shard-sise', '5'], 2, /unknown flag --shard-sise\. Did you mean --shard-size\?/],
      [[...run, '--shard-size', '0'], 2, /--shard-size 0: must be at least 1/],
      [[...run, '--shard-size', '-5'], 2, /--shard-size -5: must be at least 1/],
      [[...run, '--shard-size', 'abc'], 2, /--shard-size abc: must be a finite number/],
      [
        [...run, '--min-language-score', 'NaN'],
        2,
        /--min-language-score NaN: must be a finite number/,
      ],
      [[...run, '--min-language-score', '2'], 2, /--min-language-score 2: must be at most 1/],
      [['run', '-i', 'docs.jsonl', '-o', 'a-file'], 2, /--output .*a-file is a file, not a folder/],
      [
        ['run', '-i', 'nowhere/*.jsonl', '-o', 'out'],
        1,
        /--input "nowhere\/\*\.jsonl": folder .*nowhere does not exist/,
      ],
      [['dedup', 'filter', '--shard-size', '0'], 2, /--shard-size 0: must be at least 1/],
      [['rnu'], 2, /unknown command "rnu".* Did you mean run\?/],
    ];
    for (const [args, code, message] of cases) {
      const result = await fineweb(args, dir);
      expect({ args, code: result.code }).toEqual({ args, code });
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
    expect(readdirSync(dir).sort()).toEqual(['a-file', 'docs.jsonl']);
  });
});
