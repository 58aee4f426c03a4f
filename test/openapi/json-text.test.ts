// JSON specs are read as one-byte text with non-ASCII characters escaped (to keep start-up memory
// down); that must parse to exactly what decoding the bytes as UTF-8 gives.
import { isAscii } from 'node:buffer';
import { readFileSync } from 'node:fs';
import t from 'tap';
import { jsonText } from '../../src/openapi/json-text.js';

const cases: [string, Buffer][] = [
  ['plain ASCII', Buffer.from('{"a":"b","n":[1,2,3]}')],
  ['accents and symbols', Buffer.from('{"größe":"€ 5 – «ok»","k":"naïve"}')],
  ['astral characters (surrogate pairs)', Buffer.from('{"emoji":"🚀 launch 👩‍💻","x":"𝔘"}')],
  ['escapes next to non-ASCII', Buffer.from('{"q":"\\"é\\"\\\\ \\u00e9 é"}')],
  ['non-ASCII in keys and at the very end', Buffer.from('{"ключ":"значение"}')],
  ['invalid UTF-8 becomes U+FFFD as UTF-8 decoding does', Buffer.concat([Buffer.from('{"bad":"a'), Buffer.from([0xff, 0xc3]), Buffer.from('b","ok":"'), Buffer.from([0xe2, 0x82]), Buffer.from('"}')])],
];

for (const [name, bytes] of cases) {
  t.test(name, async (t) => {
    // Unaligned views too: the scanner reads four bytes at a time where it can.
    for (const offset of [0, 1, 2, 3]) {
      const b = Buffer.concat([Buffer.alloc(offset, 0x20), bytes]).subarray(offset);
      const text = jsonText(b);
      t.same(JSON.parse(text), JSON.parse(b.toString('utf8')), `offset ${offset}`);
      t.ok(/^[\x00-\x7f]*$/.test(text), 'the text is ASCII only');
    }
  });
}

t.test('long ASCII runs between non-ASCII characters', async (t) => {
  const big = Buffer.from(JSON.stringify({ a: 'x'.repeat(10_001), b: 'é', c: 'y'.repeat(7), d: '✓' }));
  t.same(JSON.parse(jsonText(big)), JSON.parse(big.toString('utf8')));
});

t.test('rewrites in place when the buffer has room after the text, else in a new buffer', async (t) => {
  for (const [name, bytes] of cases) {
    const grown = Buffer.byteLength(jsonText(Buffer.from(bytes)), 'latin1') - bytes.length;
    // No room, too little room (one byte short), exactly enough, plenty.
    for (const room of [0, Math.max(0, grown - 1), grown, grown + 100]) {
      const buf = Buffer.alloc(bytes.length + room, 0x21);
      bytes.copy(buf);
      const text = jsonText(buf, bytes.length);
      t.same(JSON.parse(text), JSON.parse(bytes.toString('utf8')), `${name}, room ${room}`);
      if (grown > 0 && room >= grown) t.equal(buf.toString('latin1', 0, text.length), text, `${name}: made in the caller's buffer`);
      if (room < grown) t.same(buf.subarray(0, bytes.length), bytes, `${name}: the text left as it was without room`);
    }
  }
});

t.test('a real spec with non-ASCII text parses to what UTF-8 decoding gives', async (t) => {
  const file = new URL('../../node_modules/@octokit/openapi/generated/api.github.com.json', import.meta.url);
  const bytes = readFileSync(file);
  t.ok(!isAscii(bytes), 'the spec has non-ASCII characters');
  const buf = Buffer.allocUnsafe(bytes.length + 4096);
  bytes.copy(buf);
  t.same(JSON.parse(jsonText(buf, bytes.length)), JSON.parse(bytes.toString('utf8')));
});
