// Worker thread of `encodeBatch`: rebuilds the tokenizer from the arrays it is sent (no re-indexing),
// then encodes each text it receives and posts the ids back as a transferred Int32Array.
import { parentPort, workerData } from 'node:worker_threads';
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

const data = workerData as EncodeWorkerData;
const tokenizer = new Tokenizer({
  name: data.name,
  pattern: data.pattern,
  ranks: RankTable.fromData(data.ranks),
  specialTokens: data.specialTokens,
});

parentPort!.on('message', (job: { index: number; text: string }) => {
  try {
    const ids = data.ordinary
      ? tokenizer.encodeOrdinary(job.text)
      : tokenizer.encode(job.text, { allowedSpecial: data.allowedSpecial });
    const array = Int32Array.from(ids);
    parentPort!.postMessage({ index: job.index, ids: array }, [array.buffer]);
  } catch (error) {
    parentPort!.postMessage({ index: job.index, error: (error as Error).message });
  }
});
