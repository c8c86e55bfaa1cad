// Turns rendered conversations ({ ids, lossMask } from @lmkit/chat-template) into fixed-length
// training rows: padded (one conversation per row, cut at T+1 tokens) or packed (conversations
// concatenated and cut every T tokens). Row r predicts ids[t+1] from ids[..t], counted where
// lossMask[t+1] is 1. Rows with nothing to learn (mask all 0) are dropped and counted.
import { TrainerConfigError } from '../errors.ts';

export interface SftExample {
  ids: readonly number[];
  /** 1 on tokens the model should learn to produce (assistant content and its <|im_end|>). */
  lossMask: readonly number[];
}

export interface SftRows {
  /** Rows of T+1 ids, concatenated. */
  ids: Int32Array;
  /** Rows of T target weights (mask of ids[t+1]), concatenated. */
  mask: Float32Array;
  rows: number;
  sequenceLength: number;
  /** Rows dropped because no target in them carried a mask of 1. */
  droppedRows: number;
  /** Conversations longer than T+1 tokens that padding cut short. */
  truncatedExamples: number;
}

/** Builds rows of T+1 tokens; `packing` 'pad' (default) or 'pack'. */
export function buildSftRows(options: {
  examples: readonly SftExample[];
  sequenceLength: number;
  packing?: 'pad' | 'pack';
  padTokenId?: number;
}): SftRows {
  const { examples, sequenceLength: T } = options;
  const pad = options.padTokenId ?? 0;
  examples.forEach((example, index) => {
    if (example.ids.length !== example.lossMask.length) {
      throw new TrainerConfigError(
        `SFT example ${index}: ${example.ids.length} ids but ${example.lossMask.length} mask values; render it again so both have one entry per token`,
      );
    }
  });
  const rowIds: number[][] = [];
  const rowMasks: number[][] = [];
  let truncatedExamples = 0;
  if ((options.packing ?? 'pad') === 'pad') {
    for (const example of examples) {
      if (example.ids.length > T + 1) truncatedExamples++;
      rowIds.push(example.ids.slice(0, T + 1));
      rowMasks.push(example.lossMask.slice(0, T + 1));
    }
  } else {
    const ids = examples.flatMap((e) => e.ids);
    const mask = examples.flatMap((e) => e.lossMask);
    for (let start = 0; start + 1 < ids.length; start += T) {
      rowIds.push(ids.slice(start, start + T + 1));
      rowMasks.push(mask.slice(start, start + T + 1));
    }
  }
  const kept: number[] = [];
  rowMasks.forEach((mask, r) => {
    if (mask.slice(1).some((m) => m === 1)) kept.push(r);
  });
  const out: SftRows = {
    ids: new Int32Array(kept.length * (T + 1)).fill(pad),
    mask: new Float32Array(kept.length * T),
    rows: kept.length,
    sequenceLength: T,
    droppedRows: rowIds.length - kept.length,
    truncatedExamples,
  };
  kept.forEach((r, k) => {
    out.ids.set(rowIds[r], k * (T + 1));
    const mask = rowMasks[r];
    for (let t = 0; t + 1 < mask.length; t++) out.mask[k * T + t] = mask[t + 1] === 1 ? 1 : 0;
  });
  return out;
}

/** Rows `rowIndices` as a batch of inputs, targets and mask (B, T). */
export function gatherRows(rows: SftRows, rowIndices: readonly number[]) {
  const T = rows.sequenceLength;
  const B = rowIndices.length;
  const inputs = new Int32Array(B * T);
  const targets = new Int32Array(B * T);
  const lossMask = new Float32Array(B * T);
  rowIndices.forEach((r, b) => {
    const row = rows.ids.subarray(r * (T + 1), (r + 1) * (T + 1));
    inputs.set(row.subarray(0, T), b * T);
    targets.set(row.subarray(1), b * T);
    lossMask.set(rows.mask.subarray(r * T, (r + 1) * T), b * T);
  });
  return { batchSize: B, sequenceLength: T, inputs, targets, lossMask };
}
