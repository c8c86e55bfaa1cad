// Progress of `lmkit-tokenizer train` on stderr through cli-kit's one progress display: pieces
// counted while reading (documents, no total), then merges out of the target (a bar and ETA).
// Redrawn in place on a terminal; on a pipe a line at most every few seconds, and the last one.
import type { TrainProgress } from '@lmkit/bpe';
import { createProgress, type Progress } from '@lmkit/cli-kit';
import type { CommandIo } from './io.ts';

export function trainProgressBar(io: CommandIo): (p: TrainProgress) => void {
  const stream = { write: (text: string) => io.stderr(text), isTTY: io.stderrIsTerminal };
  let counting: Progress | undefined;
  let merging: Progress | undefined;
  return (p) => {
    if (p.phase === 'count') {
      counting ??= createProgress({ unit: 'documents', label: 'counting pieces:', stream });
      counting.update(
        p.documents,
        `${(p.characters / 1e6).toFixed(1)} M characters · ${p.distinctPieces} distinct pieces`,
      );
      return;
    }
    counting?.finish();
    counting = undefined;
    merging ??= createProgress({ unit: 'merges', label: 'merging', stream, total: p.targetMerges });
    merging.update(p.merges, '', { total: Math.max(p.targetMerges, 1) });
    if (p.phase === 'done') merging.finish();
  };
}
