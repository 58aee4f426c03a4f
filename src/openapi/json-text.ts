import { isAscii } from 'node:buffer';

/**
 * JSON bytes → text for JSON.parse, as a one-byte string. One non-ASCII character anywhere makes
 * V8 hold the whole decoded text as UTF-16: 26 MB instead of 13 for GitHub's spec, garbage that
 * outlives the parse and raised peak memory by ~20 MB. Outside strings JSON is ASCII, so writing
 * each non-ASCII character as a `\uXXXX` escape parses to the same value.
 */
export function jsonText(bytes: Buffer): string {
  if (isAscii(bytes)) return bytes.toString('latin1');
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = nextNonAscii(bytes, 0); i < bytes.length; i = nextNonAscii(bytes, start)) {
    let end = i;
    while (end < bytes.length && bytes[end]! >= 0x80) end++;
    parts.push(bytes.subarray(start, i), Buffer.from(escapeChars(bytes.toString('utf8', i, end)), 'latin1'));
    start = end;
  }
  parts.push(bytes.subarray(start));
  return Buffer.concat(parts).toString('latin1');
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
