// Text no stage trains on, for the eval stage's bits per byte and cloze tasks: the last tenth of
// Tiny Shakespeare (nanoGPT's validation split, `heldOutText`) and a tenth of the filtered web
// documents, picked by a hash of their text. The tokenizer and the shards see only the rest.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readDocuments, splitOf } from '@lmkit/datasets';
import { heldOutText } from '@lmkit/evals';
import { dataDir } from './paths.ts';

/** Shares of each source held out; recorded in the stages' params, so changing them redoes them. */
export const HELD_OUT = { shakespeare: 0.1, web: 0.1, salt: 'speedrun-eval' } as const;

export const shakespearePath = () => join(dataDir, 'text/tinyshakespeare.txt');

/** Tiny Shakespeare split at a line start: the first 90% to train on, the last 10% held out. */
export function shakespeareSplit(): { train: string; heldOut: string } {
  const text = readFileSync(shakespearePath(), 'utf8');
  const heldOut = heldOutText(text, HELD_OUT.shakespeare);
  return { train: text.slice(0, text.length - heldOut.length), heldOut };
}

/** Whether a web document (by its text) is held out from training. */
export const isHeldOutWeb = (text: string) =>
  splitOf(text, { validationFraction: HELD_OUT.web, salt: HELD_OUT.salt }) === 'validation';

/** The filtered web documents' texts, split into those trained on and those held out. */
export async function webSplit(files: readonly string[]) {
  const train: string[] = [];
  const heldOut: string[] = [];
  for (const path of files) {
    for await (const doc of readDocuments({ path })) {
      (isHeldOutWeb(doc.text) ? heldOut : train).push(doc.text);
    }
  }
  return { train, heldOut };
}
