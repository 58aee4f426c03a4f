// JSON specs are read as one-byte text with non-ASCII characters escaped (to keep start-up memory
// down); that must parse to exactly what decoding the bytes as UTF-8 gives.
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
