// lmkit-tokenizer's flags with their limits, in one place: train's vocabulary size (bounded by
// what a model's embedding and llm.c shards can hold), and the flags of encode/decode/show.
import { flag } from '@lmkit/cli-kit';

/**
 * Largest vocabulary `train` accepts: 2^20 tokens (o200k_base has 200k). Shards store ids as
 * uint16 up to 65536 tokens and uint32 above; a vocabulary of 1e9 would never train or fit.
 */
export const MAX_VOCAB_SIZE = 2 ** 20;

export const trainFlags = {
  'vocab-size': flag.number({
    description: 'final vocabulary size, special tokens included',
    short: 'v',
    integer: true,
    min: 257,
    max: MAX_VOCAB_SIZE,
    default: 4096,
  }),
  pattern: flag.string({
    description: 'split pattern: r50k_base, cl100k_base, o200k_base or a RegExp source',
    short: 'p',
    default: 'cl100k_base',
    placeholder: 'NAME',
  }),
  special: flag.string({
    description: 'comma-separated special tokens, given the last ids ("" for none)',
    short: 's',
    placeholder: 'LIST',
  }),
  out: flag.string({
    description: 'tokenizer file to write',
    short: 'o',
    default: 'tokenizer.json',
    placeholder: 'PATH',
  }),
  name: flag.string({
    description: 'name stored in the file (default: the output file name)',
    placeholder: 'NAME',
  }),
  json: flag.boolean({ description: 'print a JSON summary on stdout', default: false }),
};

export const tokenizerFlags = {
  tokenizer: flag.string({
    description: 'JSON tokenizer file (default: tokenizer.json)',
    short: 't',
    placeholder: 'PATH',
  }),
  tiktoken: flag.string({ description: 'a tiktoken rank file instead', placeholder: 'PATH' }),
  pattern: flag.string({ description: 'split pattern for --tiktoken', placeholder: 'NAME' }),
};

export function tokensFlags(mode: 'encode' | 'decode' | 'show') {
  return {
    ...tokenizerFlags,
    file: flag.list({
      description: 'read the input from a file',
      short: 'f',
      commas: false,
      placeholder: 'PATH',
    }),
    json: flag.boolean({ description: 'JSON on stdout', default: false }),
    ...(mode === 'encode'
      ? {
          'allow-special': flag.string({
            description: 'special tokens the text may spell',
            placeholder: 'LIST',
          }),
          ordinary: flag.boolean({
            description: 'treat special-token spellings as plain text',
            default: false,
          }),
        }
      : {}),
    ...(mode === 'show'
      ? { html: flag.boolean({ description: 'an HTML fragment', default: false }) }
      : {}),
  };
}
