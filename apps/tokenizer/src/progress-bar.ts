// A one-line progress bar for training, on stderr: redrawn in place on a terminal, printed every
// 10 % otherwise (so logs stay short).
import type { TrainProgress } from '@lmkit/bpe';
import type { CommandIo } from './io.ts';

const WIDTH = 30;

export function trainProgressBar(io: CommandIo): (p: TrainProgress) => void {
  let lastDecile = -1;
  return (p) => {
    const seconds = (p.elapsedMs / 1000).toFixed(1);
    if (p.phase === 'count') {
      const line = `counting pieces: ${p.documents} documents, ${(p.characters / 1e6).toFixed(1)} M characters, ${p.distinctPieces} distinct pieces, ${seconds} s`;
      io.stderr(io.stderrIsTerminal ? `\r\x1b[K${line}` : `${line}\n`);
      return;
    }
    const fraction = p.targetMerges === 0 ? 1 : Math.min(1, p.merges / p.targetMerges);
    const filled = Math.round(fraction * WIDTH);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}]`;
    const line = `merging ${bar} ${p.merges}/${p.targetMerges} merges, ${seconds} s`;
    if (io.stderrIsTerminal) {
      io.stderr(`\r\x1b[K${line}${p.phase === 'done' ? '\n' : ''}`);
      return;
    }
    const decile = Math.floor(fraction * 10);
    if (p.phase === 'done' || (decile !== lastDecile && decile < 10)) {
      lastDecile = decile;
      io.stderr(`${line}\n`);
    }
  };
}
