#!/usr/bin/env -S tsx --conditions=source
// lmkit-data: post-training data from the command line. `distill` asks an OpenAI-compatible
// teacher to answer prompts; `convert` turns the conversation layouts users bring into our chat
// JSONL; `pairs` writes preference pairs split into train and validation by tree.

import {
  createProgress,
  dispatch,
  flag,
  formatHelp,
  parseFlags,
  programVersion,
  runCli,
  samplingFlags,
  UsageError,
} from '@lmkit/cli-kit';
import { convertFile, pairsFile } from './convert-command.ts';
import { distill } from './distill.ts';

const NAME = 'lmkit-data';

const distillFlags = {
  input: flag.string({
    description: 'prompts JSONL: { id?, prompt } / { id?, input } / { id?, messages } per line',
    short: 'i',
    placeholder: 'FILE',
  }),
  output: flag.string({
    description: 'chat JSONL to append to (rejected replies go to FILE.rejected.jsonl)',
    short: 'o',
    placeholder: 'FILE',
  }),
  'base-url': flag.string({
    description:
      'OpenAI-compatible API base, e.g. http://127.0.0.1:8000/v1 (default $OPENAI_BASE_URL)',
    placeholder: 'URL',
  }),
  model: flag.string({ description: 'teacher model name the server knows', placeholder: 'NAME' }),
  'api-key': flag.string({
    description: 'sent as a bearer token (default $OPENAI_API_KEY)',
    placeholder: 'KEY',
  }),
  system: flag.string({ description: 'system message for prompts that have none' }),
  concurrency: flag.number({
    description: 'requests in flight at once',
    integer: true,
    min: 1,
    max: 256,
    default: 4,
  }),
  'max-retries': flag.number({
    description: 'retries per prompt (429, 5xx, timeouts, cut streams)',
    integer: true,
    min: 0,
    default: 5,
  }),
  'timeout-ms': flag.number({
    description: 'limit of one request, answer included',
    integer: true,
    min: 1,
    default: 120_000,
  }),
  stream: flag.boolean({
    description: 'ask for server-sent events (long replies through proxies that cut idle requests)',
  }),
  ...samplingFlags({ maxNewTokens: 2048 }),
};

const convertFlags = {
  input: flag.string({
    description: 'JSONL (.gz, .zst) or Parquet file',
    short: 'i',
    placeholder: 'FILE',
  }),
  output: flag.string({ description: 'chat JSONL to write', short: 'o', placeholder: 'FILE' }),
  from: flag.string({
    description: 'input layout',
    choices: ['distill', 'sharegpt', 'messages', 'oasst'] as const,
    placeholder: 'LAYOUT',
  }),
  languages: flag.list({ description: 'oasst: keep only these languages (e.g. en,de)' }),
  paths: flag.string({
    description: "oasst: 'best' ranked path per tree or 'all' threads",
    choices: ['best', 'all'] as const,
    default: 'best',
  }),
  'include-synthetic': flag.boolean({ description: 'oasst: keep messages marked synthetic' }),
  'split-think': flag.boolean({
    description: 'messages: move a leading <think>…</think> into reasoning',
  }),
  strict: flag.boolean({ description: 'stop at the first bad row instead of counting it' }),
};

const pairsFlags = {
  input: flag.string({
    description: 'oasst1 (nested JSONL or flat Parquet/JSONL) or { prompt, chosen, rejected } rows',
    short: 'i',
    placeholder: 'FILE',
  }),
  'output-dir': flag.string({
    description: 'folder for train.jsonl and validation.jsonl',
    short: 'o',
    placeholder: 'DIR',
  }),
  from: flag.string({
    description: 'input layout',
    choices: ['oasst', 'pairs'] as const,
    placeholder: 'LAYOUT',
  }),
  'validation-fraction': flag.number({
    description: 'share of trees (or prompts) held out',
    min: 0,
    max: 1,
    default: 0.1,
  }),
  languages: flag.list({ description: 'oasst: keep only these languages (e.g. en)' }),
  pairs: flag.string({
    description: "oasst: 'all' ranked pairs or 'best-worst' per prompt",
    choices: ['all', 'best-worst'] as const,
    default: 'all',
  }),
  'include-synthetic': flag.boolean({ description: 'oasst: keep messages marked synthetic' }),
  strict: flag.boolean({ description: 'stop at the first bad row instead of counting it' }),
};

function required<T>(value: T | undefined, name: string, example: string): T {
  if (value === undefined || value === '')
    throw new UsageError(`--${name} is required (e.g. --${name} ${example})`);
  return value;
}

const counts = (skipped: Record<string, number>) =>
  Object.entries(skipped)
    .map(([reason, n]) => `${n} ${reason}`)
    .join(', ') || 'none';

async function distillCommand(argv: string[]) {
  const { values } = parseFlags(distillFlags, argv);
  if (values.help)
    return void console.log(
      formatHelp({
        usage: `${NAME} distill --input FILE --output FILE --model NAME [flags]`,
        groups: [{ flags: distillFlags }],
        footer: 'A rerun with the same --output skips prompts already answered.',
      }),
    );
  const baseUrl = values.baseUrl ?? process.env.OPENAI_BASE_URL;
  const body: Record<string, unknown> = { max_tokens: values.maxNewTokens };
  if (values.temperature !== undefined) body.temperature = values.temperature;
  if (values.topP !== undefined) body.top_p = values.topP;
  if (values.topK !== undefined) body.top_k = values.topK;
  if (values.seed !== undefined) body.seed = values.seed;
  const progress = createProgress({ unit: 'prompts', label: '[distill]' });
  let finishedPrompts = 0;
  const report = await distill({
    input: required(values.input, 'input', 'prompts.jsonl'),
    output: required(values.output, 'output', 'distilled.jsonl'),
    baseUrl: required(baseUrl, 'base-url', 'http://127.0.0.1:8000/v1'),
    model: required(values.model, 'model', 'tiny-chat'),
    apiKey: values.apiKey ?? process.env.OPENAI_API_KEY,
    systemPrompt: values.system,
    concurrency: values.concurrency,
    maxRetries: values.maxRetries,
    timeoutMs: values.timeoutMs,
    stream: values.stream,
    body,
    onEvent: (event) => {
      if (event.kind === 'retry')
        progress.log(
          `retry ${event.id} after ${event.reason} (waiting ${Math.round(event.waitMs)} ms)`,
        );
      else progress.update(++finishedPrompts, event.outcome);
    },
  });
  progress.finish(
    `${report.kept} kept, ${report.alreadyDone} already answered, ${report.failed} failed; set aside: ${counts(report.rejected)}; ${report.retries} retries`,
  );
  if (report.failed > 0) {
    console.error(
      `${NAME}: ${report.failed} prompts got no answer after every retry; run the same command again to retry them`,
    );
    return 1;
  }
  return 0;
}

async function convertCommand(argv: string[]) {
  const { values } = parseFlags(convertFlags, argv);
  if (values.help)
    return void console.log(
      formatHelp({
        usage: `${NAME} convert --from LAYOUT --input FILE --output FILE`,
        groups: [{ flags: convertFlags }],
      }),
    );
  const report = await convertFile({
    input: required(values.input, 'input', 'train.parquet'),
    output: required(values.output, 'output', 'chat.jsonl'),
    from: required(values.from, 'from', 'sharegpt'),
    languages: values.languages?.length ? values.languages.flat() : undefined,
    paths: values.paths,
    includeSynthetic: values.includeSynthetic,
    splitThink: values.splitThink,
    strict: values.strict,
  });
  console.log(
    `${report.records} rows read, ${report.yielded} conversations written; left out: ${counts(report.skipped)}`,
  );
  return 0;
}

async function pairsCommand(argv: string[]) {
  const { values } = parseFlags(pairsFlags, argv);
  if (values.help)
    return void console.log(
      formatHelp({
        usage: `${NAME} pairs --from oasst --input FILE --output-dir DIR`,
        groups: [{ flags: pairsFlags }],
      }),
    );
  const report = await pairsFile({
    input: required(values.input, 'input', 'oasst1-train.parquet'),
    outputDir: required(values.outputDir, 'output-dir', 'pairs'),
    from: required(values.from, 'from', 'oasst'),
    validationFraction: values.validationFraction,
    languages: values.languages?.length ? values.languages.flat() : undefined,
    includeSynthetic: values.includeSynthetic,
    pairs: values.pairs,
    strict: values.strict,
  });
  console.log(
    `${report.records} rows read, ${report.train} train and ${report.validation} validation pairs; left out: ${counts(report.skipped)}`,
  );
  return 0;
}

await runCli({
  name: NAME,
  main: () =>
    dispatch({
      argv: process.argv.slice(2),
      usage: `${NAME} <command> [flags]\n\n  distill   answer prompts with an OpenAI-compatible teacher (resumable)\n  convert   DeepSeek-R1 distill / ShareGPT / messages / oasst1 rows → chat JSONL\n  pairs     oasst1 ranked replies or preference rows → train/validation pair JSONL\n\n${NAME} <command> --help for its flags`,
      version: programVersion(NAME, import.meta.url),
      commands: {
        distill: { summary: 'answer prompts with a teacher', run: distillCommand },
        convert: { summary: 'convert a conversation dataset', run: convertCommand },
        pairs: { summary: 'write preference pairs', run: pairsCommand },
      },
    }),
});
