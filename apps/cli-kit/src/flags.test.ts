import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { flag, parseFlags } from './flags.ts';
import { formatHelp } from './help.ts';
import { samplingFlags } from './sampling.ts';
import { UsageError } from './usage-error.ts';

const spec = {
  'shard-size': flag.number({
    description: 'documents per shard',
    integer: true,
    min: 1,
    default: 100,
  }),
  'min-score': flag.number({ description: 'score floor', min: 0, max: 1 }),
  format: flag.string({ description: 'output format', choices: ['jsonl', 'parquet'] as const }),
  input: flag.list({ description: 'input files', short: 'i' }),
  native: flag.boolean({ description: 'native kernels', negatable: true }),
  quiet: flag.boolean({ description: 'no progress' }),
  'warmup-steps': flag.zod(z.number().int().min(0).describe('warm-up steps')),
};

const fail = (argv: string[]) => {
  try {
    parseFlags(spec, argv, { positionals: true });
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`no error for ${argv.join(' ')}`);
};

describe('parseFlags', () => {
  it('converts, defaults, splits lists and returns camelCase names', () => {
    const { values, positionals } = parseFlags(
      spec,
      [
        'a.txt',
        '--min-score',
        '0.5',
        '-i',
        'x,y',
        '--input=z',
        '--no-native',
        '--warmup-steps',
        '3',
      ],
      { positionals: true },
    );
    expect(values).toMatchObject({
      shardSize: 100,
      minScore: 0.5,
      input: ['x', 'y', 'z'],
      native: false,
      warmupSteps: 3,
      help: false,
      version: false,
    });
    expect(values.quiet).toBeUndefined();
    expect(positionals).toEqual(['a.txt']);
    expectTypeOf(values.shardSize).toEqualTypeOf<number>();
    expectTypeOf(values.minScore).toEqualTypeOf<number | undefined>();
    expectTypeOf(values.format).toEqualTypeOf<'jsonl' | 'parquet' | undefined>();
    expectTypeOf(values.input).toEqualTypeOf<string[]>();
  });

  it.each([
    [['--shard-sise', '5'], /^unknown flag --shard-sise\. Did you mean --shard-size\?$/],
    [['--bogus'], /^unknown flag --bogus\.$/],
    [['--shard-size', '0'], /^--shard-size 0: must be at least 1 \(e\.g\. --shard-size 100\)$/],
    [['--shard-size', '-5'], /^--shard-size -5: must be at least 1/],
    [['--shard-size', 'abc'], /^--shard-size abc: must be a finite number/],
    [['--shard-size', '2.5'], /^--shard-size 2\.5: must be a whole number/],
    [['--min-score', 'NaN'], /^--min-score NaN: must be a finite number/],
    [['--min-score', '1.5'], /^--min-score 1\.5: must be at most 1$/],
    [['--format', 'csv'], /^--format csv: must be one of jsonl, parquet$/],
    [['--shard-size'], /^--shard-size needs a value: --shard-size N$/],
    [['--quiet=yes'], /^--quiet takes no value/],
    [['--no-quiet'], /^--no-quiet is not a flag/],
    [['--warmup-steps', '-1'], /^--warmup-steps -1: must be at least 0$/],
  ])('%j → a usage error naming the flag', (argv, message) => {
    expect(fail(argv)).toMatch(message);
  });

  it('refuses positionals unless allowed', () => {
    expect(() => parseFlags(spec, ['extra'])).toThrow(/unexpected argument "extra"/);
  });

  it('shares the sampling flags and their limits', () => {
    const sampling = samplingFlags({ temperature: 0.8, maxNewTokens: 200 });
    const { values } = parseFlags(sampling, ['--top-k', '40', '--top-p', '0.9']);
    expect(values).toMatchObject({ temperature: 0.8, topK: 40, topP: 0.9, maxNewTokens: 200 });
    expect(() => parseFlags(sampling, ['--top-p', '0'])).toThrow(/--top-p 0: must be more than 0/);
    expect(() => parseFlags(sampling, ['--max-tokens', '5'])).toThrow(
      /unknown flag --max-tokens\. Did you mean --max-new-tokens\?/,
    );
  });

  it('writes the help from the same declarations', () => {
    const help = formatHelp({ usage: 'tool [flags]', groups: [{ flags: spec }] });
    expect(help).toMatch(/--shard-size N +documents per shard \(default 100\)/);
    expect(help).toMatch(/-i, --input A,B +input files \(repeatable\)/);
    expect(help).toMatch(/--native \| --no-native/);
    expect(help).toMatch(/--version +print the version/);
  });
});
