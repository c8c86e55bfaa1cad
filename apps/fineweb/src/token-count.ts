// Token counts for the run stats, with GPT-2's tokenizer (r50k_base) as FineWeb reports its
// token totals. The rank data loads on the first count, so a run with no documents pays nothing.
import { getEncoding } from '@lmkit/bpe';

/** `(text) => number of GPT-2 tokens`, for runPipeline's `countTokens`. */
export function gpt2TokenCounter(): (text: string) => number {
  let encoding: ReturnType<typeof getEncoding> | undefined;
  return (text) => {
    if (text === '') return 0;
    encoding ??= getEncoding('r50k_base');
    return encoding.encodeOrdinary(text).length;
  };
}
