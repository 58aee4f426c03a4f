import t from 'tap';
import { FormData, Response } from 'undici';
import { AppError } from '../../src/errors.js';
import type { BodyBinding } from '../../src/openapi/binding.js';
import { encodeBody } from '../../src/upstream/body.js';

const flat = (kind: BodyBinding['kind'], mediaType: string, props: string[], over: Partial<BodyBinding> = {}): BodyBinding => ({
  mediaType,
  kind,
  props: props.map((p) => ({ arg: p, prop: p })),
  wholeArg: undefined,
  encoding: {},
  binaryProps: new Set(),
  required: false,
  ...over,
});
const whole = (kind: BodyBinding['kind'], mediaType: string): BodyBinding => ({ mediaType, kind, props: undefined, wholeArg: 'body', encoding: {}, binaryProps: new Set(), required: false });

/** Bytes that are not valid UTF-8, so a text round-trip anywhere would change them. */
const FILE_BYTES = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0xfe, 0x0d, 0x0a, 0x80]);

t.test('a flattened JSON body sends only the properties given, under their wire names', async (t) => {
  const b = flat('json', 'application/json', [], { props: [{ arg: 'body_id', prop: 'id' }, { arg: 'name', prop: 'name' }, { arg: 'tags', prop: 'tags' }] });
  const out = encodeBody(b, { id: 'path-value', body_id: 'body-value', name: 'Rex', tags: ['a'], extra: 'ignored' });
  t.same(out, { body: '{"id":"body-value","name":"Rex","tags":["a"]}', contentType: 'application/json' });
  t.same(encodeBody(b, { name: null }), { body: '{"name":null}', contentType: 'application/json' }, 'null is sent as null');
  t.equal(encodeBody(b, { id: 'only-a-path-arg' }), undefined, 'no body argument, no body');
});

t.test('a whole JSON body is sent as given, arrays and scalars included', async (t) => {
  const b = whole('json', 'application/vnd.api+json');
  t.same(encodeBody(b, { body: [{ op: 'add' }, { op: 'remove' }] }), { body: '[{"op":"add"},{"op":"remove"}]', contentType: 'application/vnd.api+json' });
  t.same(encodeBody(b, { body: 'plain' }), { body: '"plain"', contentType: 'application/vnd.api+json' });
  t.same(encodeBody(b, { body: 0 }), { body: '0', contentType: 'application/vnd.api+json' }, 'a falsy body is still a body');
  t.equal(encodeBody(b, {}), undefined);
});

t.test('form bodies write nested objects Stripe-style and repeat array keys', async (t) => {
  const b = flat('form', 'application/x-www-form-urlencoded', ['email', 'metadata', 'expand', 'address', 'items', 'active', 'note']);
  const out = encodeBody(b, {
    email: 'a+b@example.com',
    metadata: { order_id: '6735', 'two words': 'x&y=z' },
    expand: ['customer', 'invoice'],
    address: { line1: '1 Main St', geo: { lat: 1.5 } },
    items: [{ price: 'p_1', quantity: 2 }],
    active: true,
    note: null,
  });
  t.equal(out?.contentType, 'application/x-www-form-urlencoded');
  t.equal(
    out?.body,
    [
      'email=a%2Bb%40example.com',
      'metadata[order_id]=6735',
      'metadata[two%20words]=x%26y%3Dz',
      'expand=customer',
      'expand=invoice',
      'address[line1]=1%20Main%20St',
      'address[geo][lat]=1.5',
      'items[0][price]=p_1',
      'items[0][quantity]=2',
      'active=true',
      'note=',
    ].join('&'),
  );
  const parsed = new URLSearchParams(out?.body as string);
  t.same(parsed.getAll('expand'), ['customer', 'invoice'], 'a standard form parser reads the arrays back');
  t.equal(parsed.get('metadata[two words]'), 'x&y=z', 'and the nested values');
});

t.test('form encoding objects choose JSON, delimited or bracketed arrays per property', async (t) => {
  const b = flat('form', 'application/x-www-form-urlencoded', ['json', 'csv', 'ssv', 'psv', 'deep'], {
    encoding: {
      json: { contentType: 'application/json' },
      csv: { style: 'form', explode: false },
      ssv: { style: 'spaceDelimited', explode: false },
      psv: { style: 'pipeDelimited', explode: false },
      deep: { style: 'deepObject', explode: true },
    },
  });
  const out = encodeBody(b, { json: { a: [1] }, csv: ['a', 'b'], ssv: ['a', 'b'], psv: ['a', 'b'], deep: ['x', 'y'] });
  t.equal(out?.body, 'json=%7B%22a%22%3A%5B1%5D%7D&csv=a%2Cb&ssv=a%20b&psv=a%7Cb&deep[0]=x&deep[1]=y');
});

t.test('a form argument with a lone surrogate is refused by its argument name', async (t) => {
  const b = flat('form', 'application/x-www-form-urlencoded', [], { props: [{ arg: 'body_note', prop: 'note' }] });
  const err = t.throws(() => encodeBody(b, { body_note: { deep: ['\uD800'] } })) as AppError;
  t.equal(err.code, 'TOOL_ARGS_INVALID');
  t.same(err.details, { errors: [{ field: 'body_note', message: 'must be well-formed Unicode text' }] });
  t.equal(encodeBody(b, { body_note: '🙂' })?.body, 'note=%F0%9F%99%82');
});

t.test('a whole form body that is not an object is sent under the name body', async (t) => {
  t.same(encodeBody(whole('form', 'application/x-www-form-urlencoded'), { body: 'a b' }), { body: 'body=a%20b', contentType: 'application/x-www-form-urlencoded' });
});

t.test('multipart bodies carry files as raw bytes and let the encoder set the boundary', async (t) => {
  const b = flat('multipart', 'multipart/form-data', ['file', 'avatar', 'description', 'tags', 'meta', 'count'], {
    binaryProps: new Set(['file', 'avatar']),
    encoding: { avatar: { contentType: 'image/png' } },
  });
  const out = encodeBody(b, {
    file: FILE_BYTES.toString('base64'),
    avatar: FILE_BYTES.toString('base64url'),
    description: 'a "quoted"\r\nline',
    tags: ['x', 'y'],
    meta: { a: 1 },
    count: 3,
  });
  t.equal(out?.contentType, undefined, 'no content-type: FormData writes multipart/form-data with its boundary');
  t.ok(out?.body instanceof FormData);
  const form = out!.body as FormData;
  const file = form.get('file') as File;
  t.same(Buffer.from(await file.arrayBuffer()), FILE_BYTES, 'base64 becomes the exact bytes');
  t.equal(file.type, 'application/octet-stream');
  t.equal(file.name, 'file');
  const avatar = form.get('avatar') as File;
  t.same(Buffer.from(await avatar.arrayBuffer()), FILE_BYTES, 'base64url is accepted too');
  t.equal(avatar.type, 'image/png', 'the encoding object sets the part type');
  t.equal(form.get('description'), 'a "quoted"\r\nline');
  t.same(form.getAll('tags'), ['x', 'y']);
  const meta = form.get('meta') as File;
  t.equal(meta.type, 'application/json');
  t.equal(await meta.text(), '{"a":1}');
  t.equal(form.get('count'), '3');

  const wire = new Response(form);
  const type = wire.headers.get('content-type') ?? '';
  t.match(type, /^multipart\/form-data; boundary=/);
  const back = await new Response(await wire.arrayBuffer(), { headers: { 'content-type': type } }).formData();
  t.same(Buffer.from(await (back.get('file') as File).arrayBuffer()), FILE_BYTES, 'the bytes survive the multipart encoding');
});

t.test('text bodies are sent verbatim and binary bodies are decoded from base64', async (t) => {
  t.same(encodeBody(whole('text', 'text/plain'), { body: 'héllo\nworld' }), { body: 'héllo\nworld', contentType: 'text/plain' });
  t.same(encodeBody(whole('text', 'application/xml'), { body: '<a/>' }), { body: '<a/>', contentType: 'application/xml' });
  const bin = encodeBody(whole('binary', 'application/octet-stream'), { body: FILE_BYTES.toString('base64') });
  t.equal(bin?.contentType, 'application/octet-stream');
  t.same(bin?.body, FILE_BYTES);
  t.same(encodeBody(whole('binary', 'image/png'), { body: '' })?.body, Buffer.alloc(0), 'an empty file is an empty body');
  t.same(encodeBody(whole('binary', 'image/png'), { body: 'iVBO\nRw0K' })?.body, Buffer.from('iVBORw0K', 'base64'), 'line breaks in base64 are ignored');
});

t.test('a file argument that is not base64 is refused as an argument error', async (t) => {
  const cases: [string, BodyBinding, Record<string, unknown>, string][] = [
    ['binary body with spaces and punctuation', whole('binary', 'application/octet-stream'), { body: 'not base64!' }, 'body'],
    ['binary body that is a number', whole('binary', 'application/octet-stream'), { body: 42 }, 'body'],
    ['multipart file that is an object', flat('multipart', 'multipart/form-data', ['file'], { binaryProps: new Set(['file']) }), { file: { name: 'x' } }, 'file'],
  ];
  for (const [name, b, args, field] of cases) {
    t.test(name, async (t) => {
      const err = t.throws(() => encodeBody(b, args)) as AppError;
      t.ok(err instanceof AppError);
      t.equal(err.code, 'TOOL_ARGS_INVALID');
      t.match(err.message, new RegExp(`"${field}" must be base64`));
      t.same(err.details, { errors: [{ field, message: 'must be a base64 string' }] });
    });
  }
});

t.test('a required JSON body with no property given is sent as an empty object', async (t) => {
  t.same(encodeBody(flat('json', 'application/json', ['a'], { required: true }), {}), { body: '{}', contentType: 'application/json' });
  t.equal(encodeBody(flat('json', 'application/json', ['a']), {}), undefined, 'an optional body is left out');
});
