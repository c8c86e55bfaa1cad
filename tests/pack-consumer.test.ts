// The published packages as a user gets them: `pnpm pack` (whose prepack builds dist/ with turbo)
// for core, bpe, chat-template, datasets, gpt-model and trainer; `npm install` of the tarballs into a
// fresh project in a temp folder outside the workspace; imports from plain `node` (ESM); `tsc`
// against their declarations; the READMEs' examples run as written. Needs the npm registry for
// third-party dependencies (TensorFlow.js, zod, ...); npm's cache serves them on later runs.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const execFileAsync = promisify(execFile);

/** execFile that fails with the command's own output (pnpm and tsc print their errors there). */
async function run(
  file: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeout?: number },
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await execFileAsync(file, args, { maxBuffer: 16 << 20, encoding: 'utf8', ...options });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${file} ${args.join(' ')} failed:\n${`${stdout}\n${stderr}`.slice(-4000)}`);
  }
}
const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Dependency order: each prepack finds its workspace dependencies' dist/ (turbo builds them too). */
const packages = ['core', 'bpe', 'chat-template', 'datasets', 'gpt-model', 'trainer'] as const;
const timeoutMs = 900_000; // six tsc builds; a busy 2-core machine needs minutes

/** The first ```js block after `heading` in a package README. */
async function readmeExample(pkg: string, heading: string): Promise<string> {
  const text = await readFile(join(repo, 'packages', pkg, 'README.md'), 'utf8');
  const at = text.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`packages/${pkg}/README.md has no "${heading}" section`);
  const match = /```js\n([\s\S]*?)```/.exec(text.slice(at));
  if (!match) throw new Error(`packages/${pkg}/README.md: no \`\`\`js block under "${heading}"`);
  return match[1];
}

/** Node without vitest's or tsx's loaders and conditions: a plain user's `node`. */
const plainEnv = () => {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production' };
  delete env.NODE_OPTIONS;
  delete env.VITEST;
  return env;
};

const node = (cwd: string, file: string) =>
  run(process.execPath, [file], { cwd, env: plainEnv(), timeout: 120_000 });

// The consumer's own code, checked by tsc: real types (an `any` would make each @ts-expect-error fail).
const consumerTs = `import { encodingForModel, getEncoding, type Tokenizer } from '@lmkit/bpe';
import { parseReply, render } from '@lmkit/chat-template';
import { type FinishReason, type GenerateOptions, LmkitError, SeededRandom } from '@lmkit/core';
import * as datasets from '@lmkit/datasets';
import { GPT, type LanguageModel, loadLanguageModel } from '@lmkit/gpt-model';
import * as trainer from '@lmkit/trainer';

const cl100k: Tokenizer = getEncoding('cl100k_base');
const ids: number[] = cl100k.encode('hello world');
// @ts-expect-error: not an encoding name
getEncoding('cl100k');
const name: string = encodingForModel('gpt-4o').name;
const reply: { complete: boolean } = parseReply('Hi<|im_end|>');
const rendered: number[] = render({ messages: [{ role: 'user', content: 'Hi' }] }, cl100k.withSpecialTokens(['<|im_start|>', '<|im_sep|>', '<|im_end|>'])).ids;
const reason: FinishReason = 'length';
const options: GenerateOptions = { maxNewTokens: 3, seed: 1 };
const random: number = new SeededRandom(1).next();
const isError: boolean = LmkitError.isInstance(new Error('x'));
export async function use(dir: string): Promise<string> {
  const lm: LanguageModel = await loadLanguageModel(dir, { temperature: 0.8 });
  // @ts-expect-error: maxNewTokens is a number
  await lm.complete('x', { maxNewTokens: '5' });
  const model: GPT = lm.model;
  const text: string = await lm.chat([{ role: 'user', content: 'Hi' }], { stop: ['\\n', 5] });
  for await (const piece of lm.stream('x')) piece.toUpperCase();
  return text + model.config.blockSize;
}
export const values = [ids, name, reply, rendered, reason, options, random, isError, datasets, trainer];
`;

// Runs in plain node: every package imports, and a tiny checkpoint is written for the READMEs.
const consumerJs = `import { chatSpecialTokens, encodingForModel, getEncoding, saveTokenizer, trainBpe } from '@lmkit/bpe';
import { parseReply, render } from '@lmkit/chat-template';
import { LmkitError, SeededRandom } from '@lmkit/core';
import * as datasets from '@lmkit/datasets';
import { GPT, setBackend } from '@lmkit/gpt-model';
import * as trainer from '@lmkit/trainer';

const tokenizer = await trainBpe({ texts: ['the cat sat on the mat. '.repeat(20)], vocabSize: 280, specialTokens: chatSpecialTokens });
const rendered = render({ messages: [{ role: 'user', content: 'hi' }] }, tokenizer, { addGenerationPrompt: true });
await setBackend('cpu');
const config = { vocabSize: tokenizer.vocabSize, blockSize: 64, nLayer: 1, nHead: 2, nEmbd: 16, dropout: 0, bias: true };
const model = new GPT(config, { seed: 1 });
await model.save('checkpoints/sft');
model.dispose();
await saveTokenizer(tokenizer, 'checkpoints/sft/tokenizer.json');
console.log(JSON.stringify({
  cl100k: getEncoding('cl100k_base').encode('hello world'),
  gpt4o: encodingForModel('gpt-4o').name,
  reply: parseReply('Hello<|im_end|>').message.content,
  renderedTokens: rendered.ids.length,
  random: new SeededRandom(7).next() === new SeededRandom(7).next(),
  lmkitError: typeof LmkitError.isInstance,
  datasets: Object.keys(datasets).length,
  trainer: Object.keys(trainer).length,
}));
`;

describe('packed packages in a plain Node project', () => {
  let work: string;
  let project: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'lmkit-pack-'));
    const tarballs = join(work, 'tarballs');
    project = join(work, 'consumer');
    await mkdir(project, { recursive: true });
    const dependencies: Record<string, string> = { '@types/node': '^20.19.0' };
    // One turbo build of all six, one package at a time (other test files share the cores); each
    // prepack is then a cache hit.
    await run(
      'pnpm',
      [
        'exec',
        'turbo',
        'run',
        'build',
        ...packages.map((p) => `--filter=@lmkit/${p}`),
        '--output-logs=errors-only',
        '--concurrency=1',
      ],
      { cwd: repo, env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } },
    );
    for (const pkg of packages) {
      const { stdout } = await run('pnpm', ['pack', '--pack-destination', tarballs], {
        cwd: join(repo, 'packages', pkg),
        env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
      });
      const tarball = stdout.trim().split('\n').pop()!;
      expect(tarball).toMatch(/\.tgz$/);
      dependencies[`@lmkit/${pkg}`] = `file:${tarball}`;
    }
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies }, null, 2),
    );
    // Optional dependencies (the webgpu package's Dawn binaries) are left out: wasm is the default.
    await run(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--omit=optional',
        '--loglevel=error',
      ],
      { cwd: project, env: plainEnv() },
    );
  }, timeoutMs);
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('ships built ESM with declarations and the rank data', async () => {
    for (const pkg of packages) {
      const root = join(project, 'node_modules', '@lmkit', pkg);
      const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
      expect(JSON.stringify(manifest)).not.toContain('workspace:');
      expect((await stat(join(root, 'dist', 'index.js'))).isFile()).toBe(true);
      expect((await stat(join(root, 'dist', 'index.d.ts'))).isFile()).toBe(true);
    }
    const ranks = join(project, 'node_modules', '@lmkit', 'bpe', 'ranks');
    for (const name of ['r50k_base', 'p50k_base', 'cl100k_base', 'o200k_base'])
      expect((await stat(join(ranks, `${name}.ranks.br`))).size).toBeGreaterThan(100_000);
  });

  it('imports every package from plain node and writes a checkpoint', async () => {
    await writeFile(join(project, 'consumer.mjs'), consumerJs);
    const { stdout } = await node(project, 'consumer.mjs');
    const out = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(out).toMatchObject({
      cl100k: [15339, 1917],
      gpt4o: 'o200k_base',
      reply: 'Hello',
      random: true,
      lmkitError: 'function',
    });
    expect(out.renderedTokens).toBeGreaterThan(3);
    expect(out.datasets).toBeGreaterThan(5);
    expect(out.trainer).toBeGreaterThan(5);
  });

  it("runs the bpe and gpt-model READMEs' examples as written", async () => {
    const bpe = await readmeExample('bpe', '## Example');
    await writeFile(join(project, 'readme-bpe.mjs'), bpe);
    const bpeOut = (await node(project, 'readme-bpe.mjs')).stdout;
    expect(bpeOut).toContain('[ 15339, 1917 ]');
    expect(bpeOut).toContain('o200k_base');
    expect(bpeOut).toContain('<|im_start|>user<|im_sep|>the cat<|im_end|>');
    const lm = await readmeExample('gpt-model', '## Generate text in one call');
    expect(lm).toContain("loadLanguageModel('checkpoints/sft')");
    await writeFile(join(project, 'readme-gpt-model.mjs'), lm);
    const { stdout } = await node(project, 'readme-gpt-model.mjs');
    expect(stdout.length).toBeGreaterThan(0);
  }, 180_000);

  it("type-checks a consumer (and the READMEs' examples) against the declarations", async () => {
    await writeFile(join(project, 'consumer.mts'), consumerTs);
    await writeFile(join(project, 'readme-bpe.mts'), await readmeExample('bpe', '## Example'));
    await writeFile(
      join(project, 'readme-gpt-model.mts'),
      await readmeExample('gpt-model', '## Generate text in one call'),
    );
    await writeFile(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          types: ['node'],
          skipLibCheck: true,
        },
        include: ['consumer.mts', 'readme-bpe.mts', 'readme-gpt-model.mts'],
      }),
    );
    const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await execFileAsync(process.execPath, [tsc, '-p', '.'], { cwd: project }).catch(
      (error) => error as { stdout: string },
    );
    expect(String(result.stdout)).toBe('');
  }, 120_000);
});
