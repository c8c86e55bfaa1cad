// Worker module of the batch tokenizer (run by @lmkit/core's worker pool): builds the tokenizer once
// per worker from its factory (`(await import(module))[exportName](...args)`), then tokenizes batches.

import type { TokenizerLike } from '@lmkit/core';
import { type TokenizedBatch, tokenizeTexts } from './tokenize-texts.ts';

export interface FactoryCall {
  module: string;
  exportName: string;
  args: unknown[];
}

export interface TokenizeWorkerData {
  factory: FactoryCall;
  separatorName: string;
  /** Called before the factory, e.g. to register a loader for the factory's module. */
  setup: FactoryCall | undefined;
}

interface Loaded {
  tokenizer: TokenizerLike;
  separator: number;
}

let loaded: Promise<Loaded> | undefined;

async function call(target: FactoryCall): Promise<unknown> {
  const module = await import(target.module);
  const fn = module[target.exportName];
  if (typeof fn !== 'function') {
    throw new Error(
      `export ${target.exportName} of ${target.module} is not a function; pass the name of the tokenizer factory`,
    );
  }
  return fn(...target.args);
}

function load(data: TokenizeWorkerData): Promise<Loaded> {
  loaded ??= (async () => {
    if (data.setup) await call(data.setup);
    const tokenizer = (await call(data.factory)) as TokenizerLike;
    const separator = tokenizer.specialTokenId(data.separatorName);
    if (separator === undefined)
      throw new Error(
        `the tokenizer has no special token ${data.separatorName}; train or load it with that special token`,
      );
    return { tokenizer, separator };
  })();
  return loaded;
}

/** Loads the tokenizer (once per worker) and reports its vocabulary size. */
export async function vocabSize(_: unknown, data: TokenizeWorkerData): Promise<number> {
  return (await load(data)).tokenizer.vocabSize;
}

export async function tokenize(
  input: { texts: string[] },
  data: TokenizeWorkerData,
): Promise<TokenizedBatch> {
  const { tokenizer, separator } = await load(data);
  return tokenizeTexts(tokenizer, separator, input.texts);
}
