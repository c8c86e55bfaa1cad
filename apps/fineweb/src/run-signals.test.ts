// `lmkit-fineweb run` as a process under signals: SIGINT finishes what was read and exits 130
// with stats.json saying "complete": false; SIGKILL leaves no shard under a final name (only the
// hidden staging folder), and the next run removes everything the killed ones left.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const appDir = fileURLToPath(new URL('..', import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lmkit-fineweb-signals-'));
  // English that the language stage keeps (so documents reach the writer before the kill).
  const lines = Array.from({ length: 100_000 }, (_, i) =>
    JSON.stringify({
      id: `doc-${i}`,
      text: `Document ${i}: the children walked to the old library after school, where they read about the history of their town and wrote short stories about the people who lived there long ago.`,
    }),
  );
  await writeFile(join(dir, 'docs.jsonl'), `${lines.join('\n')}\n`);
});

afterAll(() => rm(dir, { recursive: true, force: true }));

/** Starts the CLI; resolves once it printed its first progress line (it is then mid-run). */
async function startRun(): Promise<{ child: ChildProcess; stderr: () => string }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions=source',
      join(appDir, 'src/cli.ts'),
      'run',
      '-i',
      'docs.jsonl',
      '-o',
      'out',
      '--stages',
      'language',
      '--shard-size',
      '20',
    ],
    { cwd: appDir, env: { ...process.env, INIT_CWD: dir }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk;
      if (/read \d+/u.test(stderr)) resolve();
    });
    child.once('exit', (code) =>
      reject(new Error(`exited with ${code} before any progress: ${stderr}`)),
    );
  });
  return { child, stderr: () => stderr };
}

const visible = async () =>
  (await readdir(join(dir, 'out'))).filter((name) => !name.startsWith('.')).sort();

describe('lmkit-fineweb run under signals', () => {
  it('SIGINT: exit 130, the documents read are written, stats say complete: false', async () => {
    const { child } = await startRun();
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    expect(code).toBe(130);
    const stats = JSON.parse(await readFile(join(dir, 'out', 'stats.json'), 'utf8'));
    expect(stats.complete).toBe(false);
    expect(stats.read).toBeLessThan(100_000);
    expect(stats.kept).toBe(stats.read);
    expect(await visible()).toEqual(
      [
        ...stats.output.map((f: string) => f.slice(join(dir, 'out').length + 1)),
        'stats.json',
      ].sort(),
    );
  }, 60_000);

  it('SIGKILL leaves no shard under a final name; the next run clears what was left', async () => {
    const { child, stderr } = await startRun();
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(stderr()).toMatch(/removed \d+ file\(s\) an earlier run left/u);
    expect(await visible()).toEqual([]);
    expect(await readdir(join(dir, 'out'))).toEqual(['.partial-documents']);
    const again = await startRun();
    again.child.kill('SIGINT');
    await once(again.child, 'exit');
    expect(again.stderr()).toContain('.partial-documents');
    expect(await readdir(join(dir, 'out'))).not.toContain('.partial-documents');
  }, 60_000);
});
