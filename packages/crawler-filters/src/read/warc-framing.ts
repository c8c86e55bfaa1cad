// Cuts a decompressed WARC byte stream into records, checking each frame: a record starts with a
// `WARC/` line, its block is Content-Length bytes, and two CRLFs follow it. Bytes before a record
// start are skipped and counted (garbage between records); a record whose block is not followed
// by the CRLFs has a wrong Content-Length and is reported, and reading resumes at the next `WARC/`
// line, so one bad record never swallows the ones after it. Follows WARC 1.1 §4 (record layout).

/** A problem the framer found: a bad record (with its id when readable) or skipped bytes. */
export interface FramingProblem {
  reason: 'content-length-mismatch' | 'garbage-between-records' | 'truncated-record';
  /** The record's WARC-Record-ID, when the problem is a record. */
  id?: string;
  /** Bytes skipped. */
  bytes: number;
  detail: string;
}

const CRLF2 = Buffer.from('\r\n\r\n');
const RECORD_START = Buffer.from('WARC/');
/** A header block longer than this is not a WARC header. */
const MAX_HEADER_BYTES = 1 << 16;

/** Position of the next line that starts with `WARC/` at or after `from`, or -1. */
function nextRecordStart(buf: Buffer, from: number): number {
  let at = from;
  for (;;) {
    const found = buf.indexOf(RECORD_START, at);
    if (found < 0) return -1;
    if (found === 0 || buf[found - 1] === 0x0a) return found;
    at = found + 1;
  }
}

function headerField(header: string, name: string): string | undefined {
  const match = new RegExp(`^${name}:[ \\t]*(.*?)[ \\t]*$`, 'imu').exec(header);
  return match?.[1];
}

/**
 * Yields each well-framed record's bytes (header, blank line, block); `onProblem` hears of
 * everything skipped. `chunks` is the decompressed stream in any chunking.
 */
export async function* frameWarcRecords(
  chunks: AsyncIterable<Uint8Array>,
  onProblem: (problem: FramingProblem) => void,
): AsyncGenerator<Buffer> {
  const iterator = chunks[Symbol.asyncIterator]();
  let buf = Buffer.alloc(0);
  let done = false;
  const more = async (): Promise<boolean> => {
    if (done) return false;
    const next = await iterator.next();
    if (next.done) {
      done = true;
      return false;
    }
    buf = buf.length === 0 ? Buffer.from(next.value) : Buffer.concat([buf, next.value]);
    return true;
  };
  const need = async (bytes: number) => {
    while (buf.length < bytes && (await more()));
    return buf.length >= bytes;
  };
  /** Skips to the next `WARC/` line at or after `from`, reading on as needed; false at the end. */
  const skipTo = async (from: number): Promise<number> => {
    let at = from;
    for (;;) {
      const found = nextRecordStart(buf, at);
      if (found >= 0) return found;
      at = Math.max(from, buf.length - RECORD_START.length);
      if (!(await more())) return buf.length;
    }
  };
  for (;;) {
    if (!(await need(RECORD_START.length))) {
      if (buf.toString('latin1').trim()) {
        onProblem({
          reason: 'garbage-between-records',
          bytes: buf.length,
          detail: `${buf.length} bytes after the last record are not a WARC record`,
        });
      }
      return;
    }
    if (!buf.subarray(0, RECORD_START.length).equals(RECORD_START)) {
      const start = await skipTo(1);
      const skipped = buf.subarray(0, start);
      if (skipped.toString('latin1').trim()) {
        onProblem({
          reason: 'garbage-between-records',
          bytes: start,
          detail: `${start} bytes between records are not a WARC record; skipped to the next WARC/ line`,
        });
      }
      buf = buf.subarray(start);
      continue;
    }
    let headerEnd = buf.indexOf(CRLF2);
    while (headerEnd < 0 && buf.length < MAX_HEADER_BYTES && (await more())) {
      headerEnd = buf.indexOf(CRLF2);
    }
    const header = buf.subarray(0, headerEnd < 0 ? buf.length : headerEnd).toString('latin1');
    const id = headerField(header, 'WARC-Record-ID')?.replace(/^<|>$/gu, '');
    const declared = Number(headerField(header, 'Content-Length'));
    if (headerEnd < 0 || !Number.isSafeInteger(declared) || declared < 0) {
      const next = await skipTo(1);
      onProblem({
        reason: headerEnd < 0 && done ? 'truncated-record' : 'content-length-mismatch',
        ...(id ? { id } : {}),
        bytes: next,
        detail:
          headerEnd < 0
            ? 'the WARC header has no end'
            : `the WARC header has no valid Content-Length ("${headerField(header, 'Content-Length') ?? ''}")`,
      });
      buf = buf.subarray(next);
      continue;
    }
    const blockStart = headerEnd + CRLF2.length;
    const end = blockStart + declared;
    const complete = await need(end + CRLF2.length);
    if (complete && buf.subarray(end, end + CRLF2.length).equals(CRLF2)) {
      yield buf.subarray(0, end);
      buf = buf.subarray(end + CRLF2.length);
      continue;
    }
    // The block is not where Content-Length says: resume at the next record.
    const next = await skipTo(blockStart);
    const truncated = !complete && nextRecordStart(buf, blockStart) < 0;
    onProblem({
      reason: truncated ? 'truncated-record' : 'content-length-mismatch',
      ...(id ? { id } : {}),
      bytes: next,
      detail: truncated
        ? `WARC Content-Length ${declared} but the file ends ${Math.max(0, buf.length - blockStart)} bytes into the block`
        : `WARC Content-Length ${declared} does not end the block (no blank line after it); the record is skipped and reading resumes at the next WARC/ line`,
    });
    buf = buf.subarray(next);
  }
}
