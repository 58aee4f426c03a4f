import { isAscii } from 'node:buffer';

/**
 * JSON bytes → text for JSON.parse, as a one-byte string. One non-ASCII character anywhere makes
 * V8 hold the whole decoded text as UTF-16: 26 MB instead of 13 for GitHub's spec, garbage that
 * outlives the parse and raised peak memory by ~20 MB. Outside strings JSON is ASCII, so writing
 * each non-ASCII character as a `\uXXXX` escape parses to the same value.
 *
 * The text is `buf[0, length)`; `buf` belongs to the caller and is rewritten: the escapes are made
 * in place when the room after `length` holds them, else in one new buffer. Fresh memory is what
 * a big spec's start-up pays for (each 13 MB copy costs ~40 ms of page faults on a small VM), so
 * the only copy left is the string itself.
 */
export function jsonText(buf: Buffer, length = buf.length): string {
  const bytes = buf.subarray(0, length);
  if (isAscii(bytes)) return bytes.toString('latin1');
  const runs: { start: number; end: number; escaped: string }[] = [];
  let grow = 0;
  let start = nextNonAscii(bytes, 0);
  while (start < length) {
    let end = start;
    while (end < length && bytes[end]! >= 0x80) end++;
    const escaped = escapeChars(bytes.toString('utf8', start, end));
    runs.push({ start, end, escaped });
    // Never negative: a UTF-8 character is at most 4 bytes, its escape at least 6.
    grow += escaped.length - (end - start);
    start = nextNonAscii(bytes, end);
  }
  const total = length + grow;
  const out = total <= buf.length ? buf : Buffer.allocUnsafe(total);
  // Last run first, so each ASCII stretch moves right before anything is written over it.
  let tail = length;
  let shift = grow;
  for (let r = runs.length - 1; r >= 0; r--) {
    const { start, end, escaped } = runs[r]!;
    bytes.copy(out, end + shift, end, tail);
    shift -= escaped.length - (end - start);
    out.write(escaped, start + shift, 'latin1');
    tail = start;
  }
  if (out !== buf) bytes.copy(out, 0, 0, tail);
  return out.toString('latin1', 0, total);
}

/** Index of the next byte ≥ 0x80 from `from`, or the length; four bytes at a time where aligned. */
function nextNonAscii(b: Buffer, from: number): number {
  let i = from;
  while (i < b.length && (b.byteOffset + i) % 4 !== 0) {
    if (b[i]! >= 0x80) return i;
    i++;
  }
  if (i >= b.length) return b.length;
  const words = new Uint32Array(b.buffer, b.byteOffset + i, (b.length - i) >>> 2);
  let w = 0;
  while (w < words.length && (words[w]! & 0x80808080) === 0) w++;
  for (i += w * 4; i < b.length; i++) if (b[i]! >= 0x80) return i;
  return b.length;
}

/** Each UTF-16 code unit as `\uXXXX` (surrogate pairs stay pairs, as JSON wants them). */
function escapeChars(s: string): string {
  let out = '';
  for (let k = 0; k < s.length; k++) out += `\\u${s.charCodeAt(k).toString(16).padStart(4, '0')}`;
  return out;
}
