import t, { type Test } from 'tap';
import { AppError } from '../../src/errors.js';
import type { ParamBinding } from '../../src/openapi/binding.js';
import { deepObjectPairs, serializeCookieParam, serializeHeaderParam, serializePathParam, serializeQueryParam } from '../../src/upstream/serialize.js';

/** A binding named `color` (the OpenAPI spec's own style examples), overridden per case. */
const param = (over: Partial<ParamBinding> = {}): ParamBinding => ({ arg: 'color', name: 'color', style: 'form', explode: true, allowReserved: false, ...over });

const blue = 'blue';
const list = ['blue', 'black', 'brown'];
const rgb = { R: 100, G: 200, B: 150 };

/** Asserts that `fn` throws TOOL_ARGS_INVALID naming `field` (what becomes a -32602 error). */
function refuses(t: Test, fn: () => unknown, field: string, message: RegExp): void {
  try {
    fn();
    t.fail(`expected ${field} to be refused`);
  } catch (err) {
    t.ok(err instanceof AppError, 'throws an AppError');
    t.equal((err as AppError).code, 'TOOL_ARGS_INVALID');
    t.match((err as AppError).message, message);
    const errors = ((err as AppError).details?.errors ?? []) as { field: string; message: string }[];
    t.equal(errors.length, 1, 'one field error');
    t.match(errors[0], { field, message: /\S/ }, 'the field error names the argument');
  }
}

t.test('query parameters follow the OpenAPI style table for every style and explode', async (t) => {
  const cases: [string, Partial<ParamBinding>, unknown, string[]][] = [
    ['form explode string', {}, blue, ['color=blue']],
    ['form explode array repeats the key', {}, list, ['color=blue', 'color=black', 'color=brown']],
    ['form explode object spreads its keys', {}, rgb, ['R=100', 'G=200', 'B=150']],
    ['form no-explode array joins with commas', { explode: false }, list, ['color=blue,black,brown']],
    ['form no-explode object joins keys and values', { explode: false }, rgb, ['color=R,100,G,200,B,150']],
    ['spaceDelimited array', { style: 'spaceDelimited', explode: false }, list, ['color=blue%20black%20brown']],
    ['spaceDelimited object', { style: 'spaceDelimited', explode: false }, rgb, ['color=R%20100%20G%20200%20B%20150']],
    ['pipeDelimited array', { style: 'pipeDelimited', explode: false }, list, ['color=blue|black|brown']],
    ['pipeDelimited object', { style: 'pipeDelimited', explode: false }, rgb, ['color=R|100|G|200|B|150']],
    ['deepObject object', { style: 'deepObject' }, rgb, ['color[R]=100', 'color[G]=200', 'color[B]=150']],
    ['deepObject nested object and array', { style: 'deepObject' }, { a: { b: 1 }, c: ['x', 'y'] }, ['color[a][b]=1', 'color[c][0]=x', 'color[c][1]=y']],
    ['deepObject value is encoded, brackets stay', { style: 'deepObject' }, { 'a b': 'c&d' }, ['color[a%20b]=c%26d']],
    ['null is an empty value', {}, null, ['color=']],
    ['numbers and booleans as text', {}, [1, true, 2.5], ['color=1', 'color=true', 'color=2.5']],
    ['undefined object members are skipped', {}, { R: 1, G: undefined }, ['R=1']],
    ['array items are encoded one by one', { explode: false }, ['a,b', 'c d'], ['color=a%2Cb,c%20d']],
    ['the name is encoded too', { name: 'page size' }, 5, ['page%20size=5']],
    ['content-encoded JSON', { contentType: 'application/json' }, { a: [1, 'x y'] }, ['color=%7B%22a%22%3A%5B1%2C%22x%20y%22%5D%7D']],
    ['content-encoded JSON string keeps its quotes', { contentType: 'application/json' }, 'x', ['color=%22x%22']],
  ];
  for (const [name, over, value, want] of cases) t.same(serializeQueryParam(param(over), value), want, name);
});

t.test('query values cannot add parameters or end the query, with or without allowReserved', async (t) => {
  const nasty = "a/b?c:d[e]@f!$'()*,;&x=1#frag+ %";
  t.same(serializeQueryParam(param(), nasty), ["color=a%2Fb%3Fc%3Ad%5Be%5D%40f!%24'()*%2C%3B%26x%3D1%23frag%2B%20%25"], 'everything reserved is encoded by default');
  t.same(serializeQueryParam(param({ allowReserved: true }), nasty), ["color=a/b?c:d[e]@f!$'()*,;%26x%3D1%23frag%2B%20%25"], 'allowReserved keeps reserved characters but never & = # +');
  t.same(serializeQueryParam(param({ allowReserved: true }), 'already%2Fencoded'), ['color=already%252Fencoded'], 'a percent sign is always encoded, so nothing is decoded twice');
  t.same(serializeQueryParam(param({ allowReserved: true, explode: false }), ['a/b', 'c&d']), ['color=a/b,c%26d']);
});

t.test('path parameters follow the simple, label and matrix style table', async (t) => {
  const cases: [string, Partial<ParamBinding>, unknown, string][] = [
    ['simple string', { style: 'simple', explode: false }, blue, 'blue'],
    ['simple array', { style: 'simple', explode: false }, list, 'blue,black,brown'],
    ['simple object', { style: 'simple', explode: false }, rgb, 'R,100,G,200,B,150'],
    ['simple explode array', { style: 'simple', explode: true }, list, 'blue,black,brown'],
    ['simple explode object', { style: 'simple', explode: true }, rgb, 'R=100,G=200,B=150'],
    ['simple integer', { style: 'simple', explode: false }, 42, '42'],
    ['label string', { style: 'label', explode: false }, blue, '.blue'],
    ['label array (RFC 6570)', { style: 'label', explode: false }, list, '.blue,black,brown'],
    ['label object', { style: 'label', explode: false }, rgb, '.R,100,G,200,B,150'],
    ['label explode array', { style: 'label', explode: true }, list, '.blue.black.brown'],
    ['label explode object', { style: 'label', explode: true }, rgb, '.R=100.G=200.B=150'],
    ['label "..", which is "..." and not a dot segment', { style: 'label', explode: false }, '..', '...'],
    ['matrix string', { style: 'matrix', explode: false }, blue, ';color=blue'],
    ['matrix array', { style: 'matrix', explode: false }, list, ';color=blue,black,brown'],
    ['matrix object', { style: 'matrix', explode: false }, rgb, ';color=R,100,G,200,B,150'],
    ['matrix explode array', { style: 'matrix', explode: true }, list, ';color=blue;color=black;color=brown'],
    ['matrix explode object', { style: 'matrix', explode: true }, rgb, ';R=100;G=200;B=150'],
    ['matrix value with a slash', { style: 'matrix', explode: false }, 'a/b;c', ';color=a%2Fb%3Bc'],
    ['content-encoded JSON', { style: 'simple', explode: false, contentType: 'application/json' }, { a: '/' }, '%7B%22a%22%3A%22%2F%22%7D'],
  ];
  for (const [name, over, value, want] of cases) t.equal(serializePathParam(param(over), value), want, name);
});

t.test('path values are percent-encoded so that they stay inside their own segment', async (t) => {
  const simple = param({ style: 'simple', explode: false });
  const cases: [string, string][] = [
    ['../admin', '..%2Fadmin'],
    ['a/b', 'a%2Fb'],
    ['?x=1', '%3Fx%3D1'],
    ['#frag', '%23frag'],
    ['%2e%2e', '%252e%252e'],
    ['http://evil.example/', 'http%3A%2F%2Fevil.example%2F'],
    ['..\\admin', '..%5Cadmin'],
    ['a b', 'a%20b'],
    ['...', '...'],
    ['ü', '%C3%BC'],
  ];
  for (const [value, want] of cases) {
    const out = serializePathParam(simple, value);
    t.equal(out, want, JSON.stringify(value));
    t.notMatch(out, /[/?#\\]/, `${JSON.stringify(value)} has no separator left`);
    t.equal(decodeURIComponent(out), value, `${JSON.stringify(value)} round-trips`);
  }
  t.equal(serializePathParam(simple, ['..', 'a/b']), '..,a%2Fb', 'array items are encoded one by one');
  t.equal(serializePathParam(param({ style: 'simple', explode: true }), { '../k': '/v' }), '..%2Fk=%2Fv', 'object keys are encoded too');
});

t.test('a path value that would be an empty, "." or ".." segment is refused', async (t) => {
  const cases: [string, Partial<ParamBinding>, unknown, RegExp][] = [
    ['empty string', { style: 'simple' }, '', /must not be empty/],
    ['"."', { style: 'simple' }, '.', /must not be "\."/],
    ['".."', { style: 'simple' }, '..', /must not be "\.\."/],
    ['null', { style: 'simple' }, null, /must not be empty/],
    ['empty array', { style: 'simple' }, [], /must not be empty/],
    ['array of one ".."', { style: 'simple' }, ['..'], /must not be "\.\."/],
    ['empty object', { style: 'simple', explode: true }, {}, /must not be empty/],
    ['label empty string (would be ".")', { style: 'label' }, '', /must not be empty/],
    ['label "." (would be "..")', { style: 'label' }, '.', /must not be "\."/],
    ['label empty array', { style: 'label', explode: true }, [], /must not be empty/],
  ];
  for (const [name, over, value, message] of cases) {
    t.test(name, async (t) => refuses(t, () => serializePathParam(param({ arg: 'petId', name: 'pet-id', ...over }), value), 'petId', message));
  }
  t.equal(serializePathParam(param({ style: 'matrix', explode: false }), ''), ';color=', 'matrix always has its own prefix, so empty is harmless');
});

t.test('header parameters use the simple style and refuse CR, LF and NUL', async (t) => {
  const simple = param({ style: 'simple', explode: false });
  t.equal(serializeHeaderParam(simple, 'abc 123'), 'abc 123');
  t.equal(serializeHeaderParam(simple, list), 'blue,black,brown');
  t.equal(serializeHeaderParam(simple, rgb), 'R,100,G,200,B,150');
  t.equal(serializeHeaderParam(param({ style: 'simple', explode: true }), rgb), 'R=100,G=200,B=150');
  t.equal(serializeHeaderParam(simple, 7), '7');
  t.equal(serializeHeaderParam(simple, false), 'false');
  t.equal(serializeHeaderParam(simple, null), '');
  t.equal(serializeHeaderParam(param({ style: 'simple', explode: false, contentType: 'application/json' }), { a: 1 }), '{"a":1}');
  const injections: [string, unknown][] = [
    ['CRLF in a string', 'x\r\nX-Injected: 1'],
    ['bare LF', 'x\nX-Injected: 1'],
    ['bare CR', 'x\rX-Injected: 1'],
    ['NUL', 'x\0y'],
    ['CRLF in an array item', ['ok', 'x\r\nX-Injected: 1']],
    ['CRLF in an object value', { a: 'x\r\nX-Injected: 1' }],
    ['CRLF in an object key', { 'a\r\nX-Injected': '1' }],
    ['another control character', 'x\x01y'],
    ['DEL', 'x\x7fy'],
  ];
  for (const [name, value] of injections) {
    t.test(name, async (t) => refuses(t, () => serializeHeaderParam(param({ arg: 'X_Trace', name: 'X-Trace', style: 'simple', explode: true }), value), 'X_Trace', /X_Trace.*line breaks/));
  }
  t.equal(serializeHeaderParam(simple, 'a\tb é'), 'a\tb é', 'tab and Latin-1 are valid field content');
  for (const value of ['日本', 'emoji 🙂', '\uD800']) {
    t.test(`non-Latin-1 ${JSON.stringify(value)}`, async (t) => refuses(t, () => serializeHeaderParam(param({ arg: 'X_Trace', style: 'simple' }), value), 'X_Trace', /only Latin-1/));
  }
  // JSON.stringify escapes control characters, so content-encoded headers stay on one line.
  t.equal(serializeHeaderParam(param({ style: 'simple', contentType: 'application/json' }), 'a\r\nb'), '"a\\r\\nb"');
});

t.test('cookie parameters use the form style and cannot add cookies of their own', async (t) => {
  t.equal(serializeCookieParam(param(), 'abc'), 'color=abc');
  t.equal(serializeCookieParam(param(), 'a b;c=d,e'), 'color=a%20b%3Bc%3Dd%2Ce', '; = , and spaces are encoded');
  t.equal(serializeCookieParam(param(), list), 'color=blue; color=black; color=brown');
  t.equal(serializeCookieParam(param({ explode: false }), list), 'color=blue,black,brown');
  t.equal(serializeCookieParam(param({ explode: false }), rgb), 'color=R,100,G,200,B,150');
  t.equal(serializeCookieParam(param(), rgb), 'R=100; G=200; B=150');
  t.equal(serializeCookieParam(param(), { 'x; admin': 'true' }), 'x%3B%20admin=true', 'an object key cannot start a second cookie');
  t.equal(serializeCookieParam(param(), 'v\r\nX-Injected: 1'), 'color=v%0D%0AX-Injected%3A%201');
  t.equal(serializeCookieParam(param(), null), 'color=');
});

t.test('deepObjectPairs writes nested objects and arrays with brackets', async (t) => {
  const cases: [string, unknown, [string, string][]][] = [
    ['scalar', 'x', [['p', 'x']]],
    ['flat object', { a: 1, b: 'two' }, [['p[a]', '1'], ['p[b]', 'two']]],
    ['nested object', { a: { b: { c: true } } }, [['p[a][b][c]', 'true']]],
    ['array of scalars', ['x', 'y'], [['p[0]', 'x'], ['p[1]', 'y']]],
    ['array of objects', [{ id: 1 }, { id: 2 }], [['p[0][id]', '1'], ['p[1][id]', '2']]],
    ['null becomes empty', { a: null }, [['p[a]', '']]],
    ['undefined members are dropped', { a: undefined, b: 1 }, [['p[b]', '1']]],
    ['empty object has no pairs', {}, []],
  ];
  for (const [name, value, want] of cases) t.same(deepObjectPairs('p', value), want, name);
});

t.test('text with a lone surrogate, which cannot be percent-encoded, is refused instead of crashing', async (t) => {
  const cases: [string, () => unknown][] = [
    ['query string', () => serializeQueryParam(param({ arg: 'q' }), 'a\uD800')],
    ['query array item', () => serializeQueryParam(param({ arg: 'q' }), ['ok', '\uDC00'])],
    ['deepObject key', () => serializeQueryParam(param({ arg: 'q', style: 'deepObject' }), { '\uD83D': 1 })],
    ['path string', () => serializePathParam(param({ arg: 'q', style: 'simple' }), '\uD800x')],
    ['cookie object value', () => serializeCookieParam(param({ arg: 'q' }), { a: { b: '\uDFFF' } })],
  ];
  for (const [name, fn] of cases) t.test(name, async (t) => refuses(t, fn, 'q', /argument "q" is not well-formed Unicode/));
  t.same(serializeQueryParam(param(), '🙂'), ['color=%F0%9F%99%82'], 'a proper surrogate pair is fine');
});
