// Flags declared once: each declaration gives the parser its type, the help its line and default,
// and a zod schema its limits. `parseFlags` runs node:util parseArgs in strict mode; an unknown
// flag, a missing value or a value outside its limits is a UsageError naming the kebab-case flag
// (and, for a typo, the closest valid flag). Values come back under camelCase keys.
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { closest, distance } from 'fastest-levenshtein';
import { z } from 'zod';
import { describeIssue } from './issues.ts';
import { UsageError } from './usage-error.ts';

type Convert = 'string' | 'number' | 'boolean';

/** One flag. Build it with `flag.string`, `flag.number`, `flag.boolean`, `flag.list` or `flag.zod`. */
export interface FlagDef<T = unknown, HasDefault extends boolean = boolean> {
  readonly convert: Convert;
  readonly description: string;
  readonly short?: string;
  /** Repeatable (`--input a --input b`); the value is an array. */
  readonly multiple?: boolean;
  /** `--no-<name>` gives false (boolean flags). */
  readonly negatable?: boolean;
  /** Shown after the flag in the help: `--max-steps N`. */
  readonly placeholder?: string;
  readonly default?: T;
  /** Checks the converted value; its limits appear in the error. */
  readonly schema?: z.ZodType<T>;
  /** A valid value shown in errors when there is no default ("e.g. --vocab-size 4096"). */
  readonly example?: string;
  /** Repeatable flags: split each value at commas too (default true). */
  readonly commas?: boolean;
  /** Left out of the help (kept for old scripts). */
  readonly hidden?: boolean;
  /** Type-level marker only. */
  readonly hasDefault?: HasDefault;
}

export type FlagSpec = Record<string, FlagDef>;

type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

type ValueOf<F> =
  F extends FlagDef<infer T, infer D>
    ? F extends { multiple: true }
      ? T[]
      : D extends true
        ? T
        : T | undefined
    : never;

/** The parsed values of a spec, under camelCase names, plus `help` and `version`. */
export type FlagValues<S extends FlagSpec> = {
  -readonly [K in keyof S as CamelCase<K & string>]: ValueOf<S[K]>;
} & { help: boolean; version: boolean };

interface Common<T> {
  description: string;
  short?: string;
  placeholder?: string;
  example?: string;
  hidden?: boolean;
  default?: T;
}

type Built<T, O> = FlagDef<
  T,
  'default' extends keyof O ? (undefined extends O['default'] ? false : true) : false
>;

/** `kebab-case` → `camelCase`. */
export const camelCase = (name: string) =>
  name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** `camelCase` → `kebab-case`. */
export const kebabCase = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function unwrap(schema: z.ZodType): z.ZodType {
  let inner = schema as unknown as { _zod: { def: Record<string, unknown> } };
  for (let i = 0; i < 8; i++) {
    const def = inner._zod.def;
    if (['optional', 'default', 'nullable', 'readonly', 'prefault'].includes(def.type as string)) {
      inner = def.innerType as typeof inner;
    } else if (def.type === 'pipe') {
      inner = def.out as typeof inner;
    } else break;
  }
  return inner as unknown as z.ZodType;
}

function convertOf(schema: z.ZodType): Convert {
  const type = (unwrap(schema) as unknown as { _zod: { def: { type: string } } })._zod.def.type;
  return type === 'number' ? 'number' : type === 'boolean' ? 'boolean' : 'string';
}

export const flag = {
  /** A text value; `choices` limits it to a list. */
  string<
    const C extends readonly string[] = readonly string[],
    O extends Common<string> = Common<string>,
  >(options: O & { choices?: C }): Built<string extends C[number] ? string : C[number], O> {
    const schema = options.choices
      ? z.enum(options.choices as unknown as [string, ...string[]])
      : undefined;
    return { convert: 'string', placeholder: 'TEXT', ...options, schema } as never;
  },
  /** A number; `integer`, `min`, `max` (inclusive) and `above` (exclusive) are its limits. */
  number<O extends Common<number>>(
    options: O & { integer?: boolean; min?: number; max?: number; above?: number },
  ): Built<number, O> {
    let schema = z.number();
    if (options.integer) schema = schema.int();
    if (options.min !== undefined) schema = schema.min(options.min);
    if (options.above !== undefined) schema = schema.gt(options.above);
    if (options.max !== undefined) schema = schema.max(options.max);
    return {
      convert: 'number',
      placeholder: options.integer ? 'N' : 'X',
      ...options,
      schema,
    } as never;
  },
  /** On when given; `negatable` adds `--no-<name>` (then undefined means "not said"). */
  boolean<O extends Omit<Common<boolean>, 'placeholder' | 'example'>>(
    options: O & { negatable?: boolean },
  ): Built<boolean, O> {
    return { convert: 'boolean', ...options } as never;
  },
  /** A repeatable text flag; each value may also hold a comma-separated list. */
  list<O extends Omit<Common<string>, 'default'> & { commas?: boolean }>(
    options: O,
  ): FlagDef<string, false> & { multiple: true } {
    const placeholder = options.commas === false ? 'TEXT' : 'A,B';
    return { convert: 'string', placeholder, ...options, multiple: true } as never;
  },
  /** A flag checked by a zod schema (a config field's own schema, so both share their limits). */
  zod<T, O extends Omit<Common<T>, 'description'> & { description?: string }>(
    schema: z.ZodType<T>,
    options: O = {} as O,
  ): Built<T, O> {
    const convert = convertOf(schema);
    const checks =
      (
        unwrap(schema) as unknown as {
          _zod: { def: { checks?: { _zod: { def: { format?: string } } }[] } };
        }
      )._zod.def.checks ?? [];
    const isInteger = checks.some((check) => check._zod.def.format === 'safeint');
    return {
      convert,
      description: schema.description ?? '',
      ...options,
      placeholder:
        options.placeholder ??
        (convert === 'number'
          ? isInteger
            ? 'N'
            : 'X'
          : convert === 'boolean'
            ? undefined
            : 'TEXT'),
      schema,
    } as never;
  },
};

/** The spec's own names, the short ones and the implicit --help/--version, for suggestions. */
function knownNames(spec: FlagSpec): string[] {
  const names = Object.keys(spec);
  for (const [name, def] of Object.entries(spec)) if (def.negatable) names.push(`no-${name}`);
  return [...names, 'help', 'version'];
}

/** ` Did you mean --max-steps?` when a known flag is close to `name`, else ''. */
export function suggestion(name: string, known: readonly string[], prefix = '--'): string {
  if (known.length === 0) return '';
  const best = closest(name, known as string[]);
  const limit = Math.max(2, Math.ceil(name.length / 3));
  const near = distance(name, best) <= limit || best.includes(name) || name.includes(best);
  return near ? ` Did you mean ${prefix}${best}?` : '';
}

function convertValue(name: string, def: FlagDef, raw: string | boolean): unknown {
  const display = `--${name}${typeof raw === 'string' ? ` ${JSON.stringify(raw).slice(1, -1) || '""'}` : ''}`;
  const example = def.example ?? (def.default !== undefined ? String(def.default) : undefined);
  const hint = example === undefined ? '' : ` (e.g. --${name} ${example})`;
  let value: unknown = raw;
  if (def.convert === 'number') {
    const text = String(raw).trim();
    value = text === '' ? Number.NaN : Number(text);
    if (!Number.isFinite(value as number)) {
      throw new UsageError(`${display}: must be a finite number${hint}`);
    }
  }
  if (!def.schema) return value;
  const result = def.schema.safeParse(value);
  if (!result.success) {
    throw new UsageError(`${display}: ${describeIssue(result.error.issues[0])}${hint}`);
  }
  return result.data;
}

export interface ParseFlagsOptions {
  /** Positional arguments allowed (default false: any is an error). */
  positionals?: boolean;
}

/** The parsed values under the flags' own kebab-case names (for code written against node:util). */
export type KebabFlagValues<S extends FlagSpec> = {
  -readonly [K in keyof S]: ValueOf<S[K]>;
} & { help: boolean; version: boolean };

/** `parseFlags` with the values under their kebab-case names (`values['shard-size']`). */
export function parseKebabFlags<S extends FlagSpec>(
  spec: S,
  argv: readonly string[],
  options: ParseFlagsOptions = {},
): { values: KebabFlagValues<S>; positionals: string[] } {
  const { values, positionals } = parseFlags(spec, argv, options);
  const kebab: Record<string, unknown> = { help: values.help, version: values.version };
  for (const name of Object.keys(spec))
    kebab[name] = (values as Record<string, unknown>)[camelCase(name)];
  return { values: kebab as KebabFlagValues<S>, positionals };
}

/**
 * Parses `argv` against `spec`. Unknown flags, missing values and bad values throw UsageError.
 * @example parseFlags({ 'max-steps': flag.number({ description: 'steps', integer: true, min: 1 }) },
 *   ['--max-steps', '40']).values.maxSteps // → 40
 */
export function parseFlags<S extends FlagSpec>(
  spec: S,
  argv: readonly string[],
  options: ParseFlagsOptions = {},
): { values: FlagValues<S>; positionals: string[] } {
  const config: ParseArgsConfig['options'] = {
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean' },
  };
  for (const [name, def] of Object.entries(spec)) {
    config[name] = {
      type: def.convert === 'boolean' ? 'boolean' : 'string',
      ...(def.short ? { short: def.short } : {}),
      ...(def.multiple ? { multiple: true } : {}),
    };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: joinNegativeNumbers(spec, argv),
      options: config,
      strict: true,
      allowPositionals: options.positionals ?? false,
      allowNegative: Object.values(spec).some((def) => def.negatable),
    });
  } catch (error) {
    throw usageErrorOf(error as Error & { code?: string }, spec);
  }
  for (const name of Object.keys(spec)) {
    const positive = name.slice(3);
    if (name.startsWith('no-') && !(positive in spec) && parsed.values[positive] === false) {
      parsed.values[name] = true;
      delete parsed.values[positive];
    }
  }
  const values: Record<string, unknown> = {
    help: parsed.values.help === true,
    version: parsed.values.version === true,
  };
  for (const [name, def] of Object.entries(spec)) {
    const raw = parsed.values[name];
    if (def.convert === 'boolean' && raw === false && !def.negatable) {
      throw new UsageError(`--no-${name} is not a flag; leave out --${name} instead`);
    }
    let value: unknown;
    if (raw === undefined) value = def.multiple ? [] : def.default;
    else if (def.multiple) {
      value = (raw as string[])
        .flatMap((item) => (def.commas === false ? [item] : item.split(',')))
        .filter((item) => item !== '')
        .map((item) => convertValue(name, def, item));
    } else value = convertValue(name, def, raw as string | boolean);
    values[camelCase(name)] = value;
  }
  return { values: values as FlagValues<S>, positionals: parsed.positionals };
}

/** `--lr -1` → `--lr=-1`, so a negative number reaches the limit check instead of parseArgs' "ambiguous". */
function joinNegativeNumbers(spec: FlagSpec, argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].startsWith('--') ? argv[i].slice(2) : undefined;
    const def = name === undefined ? undefined : spec[name];
    if (def && def.convert !== 'boolean' && /^-(\d|\.\d|Infinity)/.test(argv[i + 1] ?? '')) {
      out.push(`${argv[i]}=${argv[++i]}`);
    } else out.push(argv[i]);
  }
  return out;
}

function usageErrorOf(error: Error & { code?: string }, spec: FlagSpec): Error {
  if (!error.code?.startsWith('ERR_PARSE_ARGS_')) return error;
  const unknown = /Unknown option '(-{1,2})([^']+)'/.exec(error.message);
  if (unknown) {
    const [, dashes, name] = unknown;
    const hint = dashes === '--' ? suggestion(name, knownNames(spec)) : '';
    return new UsageError(`unknown flag ${dashes}${name}.${hint}`);
  }
  const missing = /Option '(?:-\w, )?--([^ ']+) <value>' argument missing/.exec(error.message);
  if (missing) {
    const def = spec[missing[1]];
    return new UsageError(
      `--${missing[1]} needs a value: --${missing[1]} ${def?.placeholder ?? 'VALUE'}`,
    );
  }
  const ambiguous = /Option '(?:-\w, )?--([^ ']+)' argument is ambiguous/.exec(error.message);
  if (ambiguous) {
    return new UsageError(
      `--${ambiguous[1]} needs a value, not another flag; write --${ambiguous[1]}=VALUE for a value that starts with "-"`,
    );
  }
  const noValue = /Option '(?:-\w, )?--([^ ']+)' does not take an argument/.exec(error.message);
  if (noValue) return new UsageError(`--${noValue[1]} takes no value: write --${noValue[1]} alone`);
  const positional = /Unexpected argument '([^']*)'/.exec(error.message);
  if (positional) {
    return new UsageError(
      `unexpected argument ${JSON.stringify(positional[1])}: this command takes only --flags`,
    );
  }
  return new UsageError(error.message);
}
