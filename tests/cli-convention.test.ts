// Every lmkit app follows @lmkit/cli-kit's convention, checked on the real entry points (as
// users start them): an unknown flag is one line naming it, with the closest valid flag when
// there is one, exit status 2 and no stack trace; --version prints `<name> <version>` and exits 0.
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function run(
  entry: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=source', join(repoRoot, entry), ...args],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', fail);
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

/** Each app: its entry, the argv before the flags (a command), a typo'd flag and its fix. */
const apps = [
  {
    name: 'speedrun',
    entry: 'apps/speedrun/src/main.ts',
    command: [],
    typo: '--presets',
    fix: '--preset',
  },
  {
    name: 'pnpm chat',
    entry: 'apps/chat/src/cli.ts',
    command: [],
    typo: '--checkpoints',
    fix: '--checkpoint',
  },
  {
    name: 'lmkit-tokenizer',
    entry: 'apps/tokenizer/src/cli.ts',
    command: ['train'],
    typo: '--vocab-sise',
    fix: '--vocab-size',
  },
  {
    name: 'lmkit-fineweb',
    entry: 'apps/fineweb/src/cli.ts',
    command: ['run'],
    typo: '--shard-sise',
    fix: '--shard-size',
  },
  {
    name: 'lmkit-train',
    entry: 'apps/train/src/cli.ts',
    command: ['sample'],
    typo: '--max-tokens',
    fix: '--max-new-tokens',
  },
  {
    name: 'lmkit-data',
    entry: 'apps/data/src/cli.ts',
    command: ['distill'],
    typo: '--max-tokens',
    fix: '--max-new-tokens',
  },
  {
    name: 'lmkit-studio',
    entry: 'apps/studio/src/cli.ts',
    command: [],
    typo: '--checkpoints',
    fix: '--checkpoint',
  },
];

describe('the CLI convention', () => {
  it('every app refuses an unknown flag with the closest one and exit 2, and prints --version', async () => {
    const runs = await Promise.all(
      apps.flatMap((app) => [
        run(app.entry, [...app.command, app.typo, '1']),
        run(app.entry, ['--version']),
      ]),
    );
    apps.forEach((app, i) => {
      const [typo, version] = [runs[2 * i], runs[2 * i + 1]];
      expect({ app: app.name, code: typo.code }).toEqual({ app: app.name, code: 2 });
      expect(typo.stderr).toContain(`unknown flag ${app.typo}. Did you mean ${app.fix}?`);
      expect(typo.stderr).not.toMatch(/\n\s+at /);
      expect({ app: app.name, code: version.code }).toEqual({ app: app.name, code: 0 });
      expect(version.stdout).toMatch(new RegExp(`^${app.name} \\d+\\.\\d+\\.\\d+`));
    });
  }, 240_000);
});
