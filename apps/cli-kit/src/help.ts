// Help text from the same flag declarations the parser uses, so the help cannot drift from the
// flags: one line per flag with its placeholder, description and default.
import type { FlagSpec } from './flags.ts';

export interface HelpOptions {
  /** First line: `lmkit-train pretrain [flags]`. */
  usage: string;
  /** A paragraph under the usage line. */
  description?: string;
  /** Flag groups in order; each is a title ('' for none) and a spec. */
  groups: readonly { title?: string; flags: FlagSpec }[];
  /** Lines after the flags (examples, notes). */
  footer?: string;
}

function flagLine(name: string, def: FlagSpec[string]): [string, string] {
  const short = def.short ? `-${def.short}, ` : '    ';
  const negation = def.negatable ? ` | --no-${name}` : '';
  const value = def.convert === 'boolean' ? '' : ` ${def.placeholder ?? 'VALUE'}`;
  const shown = def.default !== undefined && def.convert !== 'boolean';
  const text = `${def.description}${shown ? ` (default ${Array.isArray(def.default) ? def.default.join(',') : String(def.default)})` : ''}${def.multiple ? ' (repeatable)' : ''}`;
  return [`  ${short}--${name}${value}${negation}`, text];
}

/** The full help text of a command. */
export function formatHelp(options: HelpOptions): string {
  const rows: ([string, string] | string)[] = [];
  for (const group of options.groups) {
    if (group.title) rows.push('', `${group.title}:`);
    for (const [name, def] of Object.entries(group.flags)) {
      if (!def.hidden) rows.push(flagLine(name, def));
    }
  }
  rows.push(['  -h, --help', 'this help'], ['      --version', 'print the version']);
  const width = Math.min(
    34,
    Math.max(...rows.filter((r) => typeof r !== 'string').map((r) => r[0].length)) + 2,
  );
  const lines = rows.map((row) => {
    if (typeof row === 'string') return row;
    const [left, right] = row;
    return left.length + 1 >= width
      ? `${left}\n${' '.repeat(width)}${right}`
      : `${left.padEnd(width)}${right}`;
  });
  const parts = [options.usage];
  if (options.description) parts.push('', options.description);
  parts.push('', ...(options.groups[0]?.title ? lines.slice(1) : ['flags:', ...lines]));
  if (options.footer) parts.push('', options.footer);
  return parts.join('\n');
}
