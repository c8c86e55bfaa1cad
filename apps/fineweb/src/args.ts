// The flags of lmkit-fineweb's run and dedup commands with their limits, in one place: the
// command modules parse with these (values under their kebab-case names), so a shard size of 0,
// -5 or abc, or a language score of NaN, is a usage error naming the flag before any file is read.
import { flag } from '@lmkit/cli-kit';

const formats = ['jsonl', 'jsonl.gz', 'parquet'] as const;

const output = {
  format: flag.string({
    description: 'shard format',
    choices: formats,
    default: 'jsonl',
    placeholder: 'FORMAT',
  }),
  'shard-size': flag.number({
    description: 'documents per shard',
    integer: true,
    min: 1,
    max: 1e9,
    default: 100_000,
  }),
};

/** The task-slot flags stay text: dedup-run.ts reads them with their Slurm fallbacks. */
const task = {
  'task-index': flag.string({ description: "this task's index", placeholder: 'N' }),
  'task-count': flag.string({ description: 'tasks the inputs split into', placeholder: 'N' }),
  'work-dir': flag.string({ description: 'MinHash work folder', placeholder: 'DIR' }),
};

export const runFlags = {
  input: flag.list({
    description: 'input files or patterns',
    short: 'i',
    commas: false,
    placeholder: 'PATTERN',
  }),
  output: flag.string({ description: 'output folder', short: 'o', placeholder: 'DIR' }),
  stages: flag.string({ description: 'comma-separated stage names', placeholder: 'LIST' }),
  ...output,
  languages: flag.string({
    description: 'ISO 639-3 codes to keep, or any',
    default: 'eng',
    placeholder: 'LIST',
  }),
  'min-language-score': flag.number({ description: 'minimum language score', min: 0, max: 1 }),
  'url-lists': flag.string({ description: 'folder of URL lists', placeholder: 'DIR' }),
  ut1: flag.string({ description: 'an unpacked UT1 blacklist', placeholder: 'DIR' }),
  'max-record-bytes': flag.number({
    description: 'larger records count as errors',
    integer: true,
    min: 1,
  }),
  'invalid-bytes': flag.string({
    description:
      "bytes invalid in a page's charset: reject the page (invalid-encoding) or replace them with U+FFFD",
    choices: ['reject', 'replace'] as const,
    default: 'reject',
    placeholder: 'MODE',
  }),
  removed: flag.boolean({ description: 'also write removed.jsonl', default: false }),
  json: flag.boolean({ description: 'stats as JSON', default: false }),
  quiet: flag.boolean({ description: 'no progress line', default: false }),
  ...task,
  'no-dedup': flag.boolean({ description: 'skip MinHash near-duplicate removal' }),
  'no-pii': flag.boolean({ description: 'keep e-mail and public IP addresses' }),
};

export const dedupFlags = {
  ...task,
  output: runFlags.output,
  ...output,
  'no-pii': runFlags['no-pii'],
  removed: runFlags.removed,
  json: runFlags.json,
};
