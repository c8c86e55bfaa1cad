import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkInput, checkOutputFile, checkOutputFolder } from './paths.ts';
import { describeSystemError } from './system-errors.ts';

describe('path checks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-kit-paths-'));
  const file = join(dir, 'file.txt');
  writeFileSync(file, 'x');
  mkdirSync(join(dir, 'sub'));

  it.each([
    [
      () => checkInput('--text', join(dir, 'missing.txt')),
      /^--text .*missing\.txt: no such file; check the name$/,
    ],
    [() => checkInput('--text', join(dir, 'no/such/x.txt')), /folder .*no\/such does not exist/],
    [() => checkInput('--text', join(dir, 'sub')), /is a folder; give a file/],
    [() => checkInput('--base', file, 'folder'), /is a file; give a folder/],
    [() => checkOutputFolder('--out', file), /--out .*file\.txt is a file, not a folder/],
    [
      () => checkOutputFolder('--out', join(file, 'run')),
      /file\.txt is a file, so no folder can be made below it/,
    ],
    [() => checkOutputFile('--out', join(dir, 'sub')), /is a folder; give a file path/],
    [
      () =>
        checkOutputFolder('--output', join(dir, 'new/deeper'), {
          access: () => {
            throw Object.assign(new Error('EROFS'), { code: 'EROFS' });
          },
        }),
      /--output .*new\/deeper: .* is not writable \(read-only or no permission\)/,
    ],
  ])('%#: one sentence naming the flag', (check, message) => {
    expect(check).toThrow(message);
  });

  it('accepts usable paths', () => {
    expect(() => checkInput('--text', file)).not.toThrow();
    expect(() => checkOutputFolder('--out', join(dir, 'a/b/c'))).not.toThrow();
    expect(() => checkOutputFile('--out', join(dir, 'sub/t.json'))).not.toThrow();
  });

  it('describes system errors in one sentence', () => {
    const error = (code: string, syscall: string) =>
      Object.assign(new Error(code), { code, syscall, path: '/x/y' });
    expect(describeSystemError(error('ENOENT', 'scandir'))).toBe(
      'folder /x/y does not exist; check the path (a glob matches files in an existing folder)',
    );
    expect(describeSystemError(error('ENOSPC', 'write'))).toMatch(
      /^no space left on the device while writing \/x\/y/,
    );
    expect(describeSystemError(new Error('plain'))).toBeUndefined();
  });
});
