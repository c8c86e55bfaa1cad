// The stage runner's bookkeeping on three small stages that copy text between files: a stage is
// kept only while its parameters, inputs and outputs match its done-marker; a redone stage starts
// from an empty folder and redoes every later one; markers hold run-relative paths, so a copied
// folder works on its own contents.
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readMarker, runStages, type Stage } from './runner.ts';

interface Preset {
  suffix: string;
  steps: number;
}

let root: string;
let repoDir: string;
let sourceFile: string;
let ran: string[];

function write(path: string, text: string) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'lmkit-runner-'));
  repoDir = join(root, 'repo');
  sourceFile = join(repoDir, 'data', 'source.txt');
  write(sourceFile, 'hello');
  ran = [];
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Copies the shipped source into the run folder. */
const copy: Stage<Preset, { file: string }> = {
  name: 'copy',
  title: 'copy',
  params: () => ({}),
  inputs: () => [sourceFile],
  outputs: (stats) => [stats.file],
  async run({ dir, relative }) {
    ran.push('copy');
    write(join(dir, 'text.txt'), readFileSync(sourceFile, 'utf8'));
    return { file: relative(join(dir, 'text.txt')) };
  },
};

/** Appends the preset's suffix to the copied text. */
const suffix: Stage<Preset, { file: string }> = {
  name: 'suffix',
  title: 'suffix',
  params: (preset) => ({ suffix: preset.suffix }),
  inputs: ({ statsOf, path }) => [path(statsOf(copy).file)],
  outputs: (stats) => [stats.file],
  async run({ dir, preset, statsOf, path, relative }) {
    ran.push('suffix');
    const text = readFileSync(path(statsOf(copy).file), 'utf8');
    write(join(dir, 'text.txt'), text + preset.suffix);
    return { file: relative(join(dir, 'text.txt')) };
  },
};

/**
 * A "training" stage: one line per step into progress.txt, continuing after the lines an
 * interrupted run left (the way the trainer resumes from its checkpoints); `failAt` interrupts.
 */
let failAt: number | undefined;
const train: Stage<Preset, { file: string; steps: number; resumedAt: number }> = {
  name: 'train',
  title: 'train',
  params: (preset) => ({ steps: preset.steps }),
  inputs: ({ statsOf, path }) => [path(statsOf(suffix).file)],
  outputs: (stats) => [stats.file],
  async run({ dir, preset, statsOf, path, relative }) {
    ran.push('train');
    const file = join(dir, 'progress.txt');
    const done = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
    const resumedAt = done.length;
    const text = readFileSync(path(statsOf(suffix).file), 'utf8');
    for (let step = done.length; step < preset.steps; step++) {
      if (step === failAt) throw new Error(`interrupted at step ${step}`);
      done.push(`${step} ${text}`);
      write(file, `${done.join('\n')}\n`);
    }
    return { file: relative(file), steps: done.length, resumedAt };
  },
};

const stages = [copy, suffix, train] as Stage<Preset, object>[];

function run(outDir: string, preset: Preset, from?: string) {
  return runStages({ stages, outDir, preset, presetName: 'test', repoDir, from, log: () => {} });
}

const preset: Preset = { suffix: '!', steps: 3 };

describe('runStages', () => {
  it('records parameters and run-relative hashes of inputs and outputs, and skips on a rerun', async () => {
    const outDir = join(root, 'run');
    await run(outDir, preset);
    expect(ran).toEqual(['copy', 'suffix', 'train']);
    const marker = readMarker(outDir, 'suffix')!;
    expect(marker.params).toEqual({ suffix: '!' });
    expect(marker.inputs?.map((f) => f.path)).toEqual(['copy/text.txt']);
    expect(marker.outputs?.map((f) => f.path)).toEqual(['suffix/text.txt']);
    expect(readMarker(outDir, 'copy')!.inputs?.map((f) => f.path)).toEqual([
      'repo:data/source.txt',
    ]);
    expect(JSON.stringify(marker)).not.toContain(root);
    ran = [];
    await run(outDir, preset);
    expect(ran).toEqual([]);
  });

  it('redoes a stage whose input changed, and every later stage, from an empty folder', async () => {
    const outDir = join(root, 'run');
    await run(outDir, preset);
    write(sourceFile, 'changed');
    ran = [];
    await run(outDir, preset);
    expect(ran).toEqual(['copy', 'suffix', 'train']);
    const stats = readMarker(outDir, 'train')!.stats;
    expect(stats).toMatchObject({ steps: 3, resumedAt: 0 });
    expect(readFileSync(join(outDir, 'train/progress.txt'), 'utf8')).toBe(
      '0 changed!\n1 changed!\n2 changed!\n',
    );
  });

  it('redoes a stage whose parameters changed, but not the stages before it', async () => {
    const outDir = join(root, 'run');
    await run(outDir, preset);
    ran = [];
    await run(outDir, { ...preset, suffix: '?' });
    expect(ran).toEqual(['suffix', 'train']);
    expect(readFileSync(join(outDir, 'train/progress.txt'), 'utf8')).toContain('0 hello?');
  });

  it('redoes later stages on an edited output of a kept stage (hand edits are respected)', async () => {
    const outDir = join(root, 'run');
    await run(outDir, preset);
    write(join(outDir, 'suffix/text.txt'), 'edited by hand');
    ran = [];
    await run(outDir, preset);
    expect(ran).toEqual(['train']);
    expect(readFileSync(join(outDir, 'train/progress.txt'), 'utf8')).toBe(
      '0 edited by hand\n1 edited by hand\n2 edited by hand\n',
    );
  });

  it('redoes a stage whose output is missing', async () => {
    const outDir = join(root, 'run');
    await run(outDir, preset);
    rmSync(join(outDir, 'copy/text.txt'));
    ran = [];
    await run(outDir, preset);
    expect(ran).toEqual(['copy', 'suffix', 'train']);
  });

  it('--from redoes that stage from scratch, not as a resume of the finished one', async () => {
    const outDir = join(root, 'run');
    await run(outDir, preset);
    ran = [];
    await run(outDir, preset, 'train');
    expect(ran).toEqual(['train']);
    expect(readMarker(outDir, 'train')!.stats).toMatchObject({ steps: 3, resumedAt: 0 });
    await expect(run(outDir, preset, 'nope')).rejects.toThrow(
      '--from nope is not a stage; stages are: copy, suffix, train',
    );
  });

  it('resumes an interrupted stage only when its parameters and inputs are unchanged', async () => {
    const outDir = join(root, 'run');
    failAt = 2;
    await expect(run(outDir, preset)).rejects.toThrow('interrupted at step 2');
    failAt = undefined;
    ran = [];
    await run(outDir, preset);
    expect(ran).toEqual(['train']);
    expect(readMarker(outDir, 'train')!.stats).toMatchObject({ steps: 3, resumedAt: 2 });

    rmSync(join(outDir, 'train'), { recursive: true });
    failAt = 2;
    await expect(run(outDir, preset)).rejects.toThrow('interrupted at step 2');
    failAt = undefined;
    write(join(outDir, 'suffix/text.txt'), 'other');
    await run(outDir, preset);
    expect(readMarker(outDir, 'train')!.stats).toMatchObject({ steps: 3, resumedAt: 0 });
    expect(readFileSync(join(outDir, 'train/progress.txt'), 'utf8')).toBe(
      '0 other\n1 other\n2 other\n',
    );
  });

  it('a copied folder works on its own contents, and hashes let an unchanged copy skip', async () => {
    const original = join(root, 'run');
    await run(original, preset);
    const copyDir = join(root, 'copy-of-run');
    cpSync(original, copyDir, { recursive: true });
    rmSync(original, { recursive: true });
    ran = [];
    await run(copyDir, preset);
    expect(ran).toEqual([]);
    write(join(copyDir, 'suffix/text.txt'), 'copy edited');
    await run(copyDir, preset);
    expect(ran).toEqual(['train']);
    expect(readFileSync(join(copyDir, 'train/progress.txt'), 'utf8')).toContain('0 copy edited');
    expect(existsSync(original)).toBe(false);
  });
});
