// Command-line flags: `--name value`, `--name=value`, bare `--flag` (true), `--no-flag` (false).
// Names are kebab-case on the command line and camelCase in the result.
import { TrainerConfigError } from '@lmkit/trainer';

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | boolean>;
}

const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Parses argv; `booleans` names flags that never take a value. */
export function parseArgs(argv: readonly string[], booleans: ReadonlySet<string>): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | boolean>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const [rawName, inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (rawName.startsWith('no-') && inline === undefined) {
      flags.set(camel(rawName.slice(3)), false);
      continue;
    }
    const name = camel(rawName);
    if (inline !== undefined) flags.set(name, inline);
    else if (booleans.has(name)) flags.set(name, true);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) flags.set(name, argv[++i]);
    else flags.set(name, true);
  }
  return { positionals, flags };
}

/** A flag's value as a number, with an error naming the flag. */
export function numberFlag(flags: ParsedArgs['flags'], name: string): number | undefined {
  const value = flags.get(name);
  if (value === undefined) return undefined;
  const number = typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isFinite(number)) {
    throw new TrainerConfigError(`--${name} expects a number, got ${JSON.stringify(value)}`);
  }
  return number;
}

/** A flag's value as a string. */
export function stringFlag(flags: ParsedArgs['flags'], name: string): string | undefined {
  const value = flags.get(name);
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new TrainerConfigError(`--${name} expects a value`);
  return value;
}
