// Worker module of `EncodePool` (run by @lmkit/core's worker pool): rebuilds the tokenizer once per
// worker from the arrays in workerData (no re-indexing), then encodes each text it is given.
import { RankTable, type RankTableData } from './rank-table.ts';
import type { AllowedSpecial } from './special-tokens.ts';
import { Tokenizer } from './tokenizer.ts';

export interface EncodeWorkerData {
  name: string;
  pattern: string;
  ranks: RankTableData;
  specialTokens: Record<string, number>;
  allowedSpecial: AllowedSpecial | undefined;
  ordinary: boolean;
}

let tokenizer: Tokenizer | undefined;

/** Encodes one text; the ids come back as an Int32Array (one compact copy, not a JS array). */
export function encode(input: { text: string }, data: EncodeWorkerData): Int32Array {
  tokenizer ??= new Tokenizer({
    name: data.name,
    pattern: data.pattern,
    ranks: RankTable.fromData(data.ranks),
    specialTokens: data.specialTokens,
  });
  const ids = data.ordinary
    ? tokenizer.encodeOrdinary(input.text)
    : tokenizer.encode(input.text, { allowedSpecial: data.allowedSpecial });
  return Int32Array.from(ids);
}
