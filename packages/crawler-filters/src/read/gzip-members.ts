// Decompresses a multi-member gzip file (a .warc.gz holds one member per record) member by member,
// checking each member's CRC-32 and size, so that a corrupt member costs only itself: the reader
// resynchronises at the next gzip header (1f 8b 08) and reports the bytes it skipped. A cut last
// member is reported as truncated. Follows RFC 1952 (member layout) and the WARC 1.1 annex on
// per-record compression; a file that is one huge member is streamed without resynchronisation.

import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { crc32, createGunzip, inflateRawSync } from 'node:zlib';

export interface GzipProblem {
  /**
   * `corrupt-gzip-member`: a member that does not decompress, skipped up to the next member;
   * `garbage-between-records`: bytes that are no gzip member at all; `truncated-gzip`: cut at the end.
   */
  reason: 'corrupt-gzip-member' | 'garbage-between-records' | 'truncated-gzip';
  /** File offset where the bad bytes start. */
  offset: number;
  /** Compressed bytes skipped. */
  bytes: number;
  detail: string;
}

const READ_BYTES = 1 << 20;
const LOW_WATER_BYTES = 64 << 10;
/** A member still incomplete past this many compressed bytes is streamed instead (no resync). */
const MAX_MEMBER_BYTES = 64 << 20;

const FLAG_HCRC = 2;
const FLAG_EXTRA = 4;
const FLAG_NAME = 8;
const FLAG_COMMENT = 16;

/** Length of the member header at the start of `buf`; 0: need more bytes; -1: not a header. */
function headerLength(buf: Buffer, eof: boolean): number {
  if (buf.length < 10) return eof ? -1 : 0;
  if (buf[0] !== 0x1f || buf[1] !== 0x8b || buf[2] !== 8 || buf[3] & 0xe0) return -1;
  const flags = buf[3];
  let at = 10;
  if (flags & FLAG_EXTRA) {
    if (buf.length < at + 2) return eof ? -1 : 0;
    at += 2 + buf.readUInt16LE(at);
  }
  for (const flag of [FLAG_NAME, FLAG_COMMENT]) {
    if (!(flags & flag)) continue;
    const end = buf.indexOf(0, at);
    if (end < 0) return eof ? -1 : 0;
    at = end + 1;
  }
  if (flags & FLAG_HCRC) at += 2;
  return buf.length < at ? (eof ? -1 : 0) : at;
}

/**
 * Yields the decompressed bytes of each good member in order; `onProblem` hears of every corrupt
 * stretch (once per stretch, with the bytes skipped) and of a truncated end.
 */
export async function* gzipMembers(
  path: string,
  onProblem: (problem: GzipProblem) => void,
): AsyncGenerator<Buffer> {
  const handle = await open(path, 'r');
  let buf = Buffer.alloc(0);
  let base = 0; // file offset of buf[0]
  let eof = false;
  const fill = async (min: number) => {
    while (buf.length < min && !eof) {
      const chunk = Buffer.allocUnsafe(Math.max(READ_BYTES, min - buf.length));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, base + buf.length);
      if (bytesRead === 0) eof = true;
      else buf = Buffer.concat([buf, chunk.subarray(0, bytesRead)]);
    }
  };
  const drop = (count: number) => {
    buf = buf.subarray(count);
    base += count;
  };
  let badStart: number | undefined;
  let badDetail = '';
  let badIsMember = false;
  const endBadStretch = () => {
    if (badStart === undefined) return;
    onProblem({
      reason: badIsMember ? 'corrupt-gzip-member' : 'garbage-between-records',
      offset: badStart,
      bytes: base - badStart,
      detail: `${badDetail}; skipped ${base - badStart} bytes to the next gzip member`,
    });
    badStart = undefined;
  };
  /** Marks the bytes at buf[0] bad (a broken member, or no member) and moves to the next gzip magic. */
  const skipToNextMember = async (detail: string, isMember: boolean) => {
    if (badStart === undefined) {
      badStart = base;
      badIsMember = isMember;
      badDetail = isMember
        ? `gzip member at byte ${base} is corrupt (${detail})`
        : `bytes at ${base} are not a gzip member`;
    }
    let from = 1;
    for (;;) {
      const next = buf.indexOf(Buffer.from([0x1f, 0x8b, 0x08]), from);
      if (next >= 0) return drop(next);
      from = Math.max(1, buf.length - 2);
      if (eof) return drop(buf.length);
      await fill(buf.length + READ_BYTES);
    }
  };
  try {
    for (;;) {
      // Read ahead in large steps (not per member: a member is often only a few KiB).
      if (buf.length < LOW_WATER_BYTES) await fill(READ_BYTES);
      if (buf.length === 0) break;
      let header = headerLength(buf, eof);
      while (header === 0) {
        await fill(buf.length + READ_BYTES);
        header = headerLength(buf, eof);
      }
      if (header < 0) {
        await skipToNextMember('no gzip header', false);
        continue;
      }
      let member: { data: Buffer; end: number } | undefined;
      let problem: string | undefined;
      for (;;) {
        try {
          const { buffer, engine } = inflateRawSync(buf.subarray(header), {
            info: true,
          }) as unknown as {
            buffer: Buffer;
            engine: { bytesWritten: number };
          };
          member = { data: buffer, end: header + engine.bytesWritten + 8 };
          break;
        } catch (error) {
          const code = (error as { code?: string }).code;
          if (code === 'Z_BUF_ERROR' && !eof) {
            if (buf.length > MAX_MEMBER_BYTES) break;
            await fill(buf.length * 2);
            continue;
          }
          problem = code === 'Z_BUF_ERROR' ? 'cut' : (error as Error).message;
          break;
        }
      }
      if (!member && !problem) {
        // One very large member (a whole file compressed at once): stream the rest.
        endBadStretch();
        await handle.close().catch(() => {});
        yield* createReadStream(path, { start: base }).pipe(createGunzip());
        return;
      }
      if (problem === 'cut') {
        endBadStretch();
        onProblem({
          reason: 'truncated-gzip',
          offset: base,
          bytes: buf.length,
          detail: `the gzip member at byte ${base} is cut off at the end of the file (${buf.length} bytes)`,
        });
        break;
      }
      if (member) await fill(member.end);
      if (member && buf.length < member.end) {
        endBadStretch();
        onProblem({
          reason: 'truncated-gzip',
          offset: base,
          bytes: buf.length,
          detail: `the gzip member at byte ${base} has no complete trailer at the end of the file`,
        });
        break;
      }
      if (member) {
        const storedCrc = buf.readUInt32LE(member.end - 8);
        const storedSize = buf.readUInt32LE(member.end - 4);
        if (crc32(member.data) !== storedCrc || member.data.length >>> 0 !== storedSize) {
          problem = 'CRC-32 or size does not match its trailer';
        }
      }
      if (problem || !member) {
        await skipToNextMember(problem ?? 'unreadable', true);
        continue;
      }
      endBadStretch();
      drop(member.end);
      yield member.data;
    }
    endBadStretch();
  } finally {
    await handle.close().catch(() => {});
  }
}
