import t from 'tap';
import { connectClient, spec30, startTestSidecar } from '../helpers/sidecar.js';
import { callChecks } from '../helpers/calls.js';
import { startUpstream } from '../helpers/upstream.js';

// Request bodies of every media type through the real SDK client, asserting on the bytes the upstream received.

const ok = { '200': { description: 'ok' } };
const str = { type: 'string' };
const petSchema = {
  type: 'object',
  required: ['name'],
  properties: { name: str, tags: { type: 'array', items: str }, owner: { type: 'object', properties: { name: str, email: str } }, id: { type: 'integer', readOnly: true } },
};
const body = (mediaType: string, schema: object, required = true, extra: object = {}) => ({ required, content: { [mediaType]: { schema, ...extra } } });

const api = spec30({
  '/pets': { post: { operationId: 'createPet', requestBody: body('application/json', petSchema), responses: ok } },
  '/pets/{petId}': { patch: { operationId: 'patchPet', parameters: [{ name: 'petId', in: 'path', required: true, schema: str }], requestBody: body('application/json', petSchema, false), responses: ok } },
  '/batch': { post: { operationId: 'batchCreate', requestBody: body('application/json', { type: 'array', items: petSchema }), responses: ok } },
  '/shapes': {
    post: {
      operationId: 'createShape',
      requestBody: body('application/json', {
        oneOf: [
          { type: 'object', required: ['radius'], properties: { radius: { type: 'number' } }, additionalProperties: false },
          { type: 'object', required: ['side'], properties: { side: { type: 'number' } }, additionalProperties: false },
        ],
      }),
      responses: ok,
    },
  },
  '/v1/customers': {
    post: {
      operationId: 'createCustomer',
      requestBody: body('application/x-www-form-urlencoded', {
        type: 'object',
        properties: {
          email: str,
          metadata: { type: 'object', additionalProperties: str },
          expand: { type: 'array', items: str },
          address: { type: 'object', properties: { line1: str, city: str } },
          items: { type: 'array', items: { type: 'object', properties: { price: str, quantity: { type: 'integer' } } } },
          preferred_locales: { type: 'array', items: str },
        },
      }, false, { encoding: { preferred_locales: { style: 'form', explode: false } } }),
      responses: ok,
    },
  },
  '/upload': {
    post: {
      operationId: 'upload',
      requestBody: body(
        'multipart/form-data',
        { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' }, thumb: { type: 'string', format: 'binary' }, description: str, tags: { type: 'array', items: str }, meta: { type: 'object' } } },
        true,
        { encoding: { thumb: { contentType: 'image/png' } } },
      ),
      responses: ok,
    },
  },
  '/notes': { post: { operationId: 'createNote', requestBody: body('text/plain', str), responses: ok } },
  '/blobs/{key}': { put: { operationId: 'putBlob', parameters: [{ name: 'key', in: 'path', required: true, schema: str }], requestBody: body('application/octet-stream', { type: 'string', format: 'binary' }), responses: ok } },
});

const up = await startUpstream();
t.teardown(() => up.close());
const sidecar = await startTestSidecar(t, { config: { servers: [{ path: '/mcp', spec: './api.json', upstream: { baseUrl: up.url, timeout: '2s' } }] }, files: { 'api.json': api } });
const client = await connectClient(t, `${sidecar.url}/mcp`);
const { tools } = await client.listTools();
const schemaOf = (name: string) => tools.find((x) => x.name === name)!.inputSchema as { properties: Record<string, { type?: string }>; required?: string[] };

/** Bytes that are not valid UTF-8 (and include CR LF and NUL), so any text round-trip would change them. */
const FILE_BYTES = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe, 0x80, 0x2d, 0x2d]);

const { sent, refused } = callChecks(client, up);

t.test('a JSON object body is flattened into top-level arguments, required only when the body is', async (t) => {
  t.same(Object.keys(schemaOf('createPet').properties).sort(), ['name', 'owner', 'tags'], 'readOnly properties are not arguments');
  t.same(schemaOf('createPet').required, ['name']);
  t.same(schemaOf('patchPet').required, ['petId'], 'an optional body makes its required properties optional too');

  const req = await sent(t, 'createPet', { name: 'Rëx', tags: ['good'], owner: { name: 'Ann', email: 'ann@example.com' } });
  t.equal(req.method, 'POST');
  t.equal(req.url, '/pets');
  t.equal(req.headers['content-type'], 'application/json');
  t.equal(req.body.toString('utf8'), '{"name":"Rëx","tags":["good"],"owner":{"name":"Ann","email":"ann@example.com"}}');
  t.equal(req.headers['content-length'], String(req.body.length), 'the length counts bytes, not characters');

  const none = await sent(t, 'patchPet', { petId: '7' });
  t.equal(none.method, 'PATCH');
  t.equal(none.body.length, 0, 'no body arguments, no body');
  t.equal(none.headers['content-type'], undefined);
  const some = await sent(t, 'patchPet', { petId: '7', tags: [] });
  t.equal(some.body.toString('utf8'), '{"tags":[]}', 'only the given properties are sent');

  await refused(t, 'createPet', { tags: ['x'] }, /Invalid arguments for tool createPet: name: is required/);
  await refused(t, 'createPet', { name: 'x', id: 5 }, /id: is not a known argument/);
});

t.test('a JSON array body and a oneOf body are kept whole under body', async (t) => {
  t.same(Object.keys(schemaOf('batchCreate').properties), ['body']);
  t.same(schemaOf('batchCreate').required, ['body']);
  const batch = await sent(t, 'batchCreate', { body: [{ name: 'a' }, { name: 'b', tags: ['x'] }] });
  t.equal(batch.headers['content-type'], 'application/json');
  t.same(JSON.parse(batch.body.toString('utf8')), [{ name: 'a' }, { name: 'b', tags: ['x'] }]);

  t.same(Object.keys(schemaOf('createShape').properties), ['body']);
  const shape = await sent(t, 'createShape', { body: { side: 2 } });
  t.equal(shape.body.toString('utf8'), '{"side":2}');
  await refused(t, 'createShape', { body: { radius: 1, side: 2 } }, /Invalid arguments for tool createShape: body/);
  await refused(t, 'batchCreate', { body: { name: 'not an array' } }, /body: must be array/);
});

t.test('a form body writes nested objects Stripe-style and repeats array keys', async (t) => {
  const req = await sent(t, 'createCustomer', {
    email: 'a+b@example.com',
    metadata: { order_id: '6735', note: 'x&y=z' },
    expand: ['default_source', 'invoice_settings'],
    address: { line1: '1 Main St', city: 'Zürich' },
    items: [{ price: 'price_1', quantity: 2 }],
    preferred_locales: ['en', 'fr'],
  });
  t.equal(req.url, '/v1/customers');
  t.equal(req.headers['content-type'], 'application/x-www-form-urlencoded');
  t.equal(
    req.body.toString('latin1'),
    'email=a%2Bb%40example.com&metadata[order_id]=6735&metadata[note]=x%26y%3Dz&expand=default_source&expand=invoice_settings' +
      '&address[line1]=1%20Main%20St&address[city]=Z%C3%BCrich&items[0][price]=price_1&items[0][quantity]=2&preferred_locales=en%2Cfr',
  );
  const form = new URLSearchParams(req.body.toString('utf8'));
  t.equal(form.get('email'), 'a+b@example.com', 'a plus sign is not read back as a space');
  t.equal(form.get('metadata[note]'), 'x&y=z');
  t.same(form.getAll('expand'), ['default_source', 'invoice_settings']);
  t.equal(form.get('address[city]'), 'Zürich');
});

t.test('a multipart body carries a base64 file argument as raw bytes on the wire', async (t) => {
  t.equal(schemaOf('upload').properties.file!.type, 'string');
  const req = await sent(t, 'upload', {
    file: FILE_BYTES.toString('base64'),
    thumb: FILE_BYTES.toString('base64'),
    description: 'holiday photo',
    tags: ['beach', 'sun'],
    meta: { camera: 'x100' },
  });
  const type = req.headers['content-type'] ?? '';
  t.match(type, /^multipart\/form-data; boundary=\S+$/);
  t.ok(req.body.includes(FILE_BYTES), 'the exact file bytes are in the request body');
  t.notOk(req.body.includes(Buffer.from(FILE_BYTES.toString('base64'))), 'the base64 text is not');
  const form = await new Response(req.body, { headers: { 'content-type': type } }).formData();
  const file = form.get('file') as File;
  t.same(Buffer.from(await file.arrayBuffer()), FILE_BYTES);
  t.equal(file.name, 'file');
  t.equal(file.type, 'application/octet-stream');
  t.equal((form.get('thumb') as File).type, 'image/png', 'the encoding object sets the part type');
  t.equal(form.get('description'), 'holiday photo');
  t.same(form.getAll('tags'), ['beach', 'sun']);
  t.same(JSON.parse(await (form.get('meta') as File).text()), { camera: 'x100' });

  await refused(t, 'upload', { file: 'this is not base64!' }, /"file" must be base64/);
  await refused(t, 'upload', { description: 'no file' }, /file: is required/);
});

t.test('a text/plain body is sent verbatim', async (t) => {
  const text = 'line one\r\nline two: "quoted" & ünïcode\n';
  const req = await sent(t, 'createNote', { body: text });
  t.equal(req.headers['content-type'], 'text/plain');
  t.same(req.body, Buffer.from(text, 'utf8'));
});

t.test('an application/octet-stream body is decoded from its base64 argument', async (t) => {
  t.match(schemaOf('putBlob').properties.body, { type: 'string', contentEncoding: 'base64' });
  const req = await sent(t, 'putBlob', { key: 'photo.png', body: FILE_BYTES.toString('base64') });
  t.equal(req.method, 'PUT');
  t.equal(req.url, '/blobs/photo.png');
  t.equal(req.headers['content-type'], 'application/octet-stream');
  t.same(req.body, FILE_BYTES);
  await refused(t, 'putBlob', { key: 'x', body: '%%% not base64 %%%' }, /"body" must be base64/);
  const after = await sent(t, 'putBlob', { key: 'x', body: '' });
  t.equal(after.body.length, 0, 'an empty file still works after a refusal');
});
