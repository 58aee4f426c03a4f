import t from 'tap';
import type { ParamBinding } from '../../src/openapi/binding.js';
import type { JsonObject } from '../../src/openapi/types.js';
import { compileProblems, oas30, oas31, SAFE_ARG, tool, toolsOf, validatorFor } from '../helpers/specs.js';

const ok = { '200': { description: 'ok' } };
const json = (schema: object, required = false) => ({ required, content: { 'application/json': { schema } } });
const props = (schema: JsonObject) => Object.keys(schema.properties as object);
const wire = (list: ParamBinding[]) => list.map((p) => [p.arg, p.name]);

t.test('path-level parameters are merged with the operation’s, and the operation wins on name and location', async (t) => {
  const set = await toolsOf(
    oas30({
      '/pets/{petId}': {
        parameters: [
          { name: 'petId', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'fields', in: 'query', schema: { type: 'string' }, description: 'path level' },
          { name: 'X-Trace', in: 'header', schema: { type: 'string' } },
        ],
        get: {
          operationId: 'getPet',
          parameters: [
            { name: 'petId', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } },
            { name: 'fields', in: 'query', required: true, schema: { type: 'array', items: { type: 'string' } }, description: 'operation level' },
          ],
          responses: ok,
        },
        delete: { operationId: 'deletePet', responses: ok },
      },
    }),
  );
  const get = tool(set, 'getPet');
  t.same(get.definition.inputSchema.properties, {
    petId: { type: 'integer', minimum: 1 },
    fields: { type: 'array', items: { type: 'string' }, description: 'operation level' },
    'X-Trace': { type: 'string' },
  });
  t.same(get.definition.inputSchema.required, ['petId', 'fields']);
  t.equal(get.binding.query.length, 1, 'the overridden parameter is not sent twice');
  const del = tool(set, 'deletePet');
  t.same(del.definition.inputSchema.properties, { petId: { type: 'string' }, fields: { type: 'string', description: 'path level' }, 'X-Trace': { type: 'string' } });
  t.same(wire(del.binding.headers), [['X-Trace', 'X-Trace']]);
});

t.test('the same name in two locations gets two arguments, the later one prefixed with its location', async (t) => {
  const set = await toolsOf(
    oas30({
      '/orgs/{id}': {
        put: {
          operationId: 'updateOrg',
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'page', in: 'query', schema: { type: 'integer' } },
            { name: 'page', in: 'header', schema: { type: 'string' } },
          ],
          requestBody: json({ type: 'object', required: ['id', 'name'], properties: { id: { type: 'string', description: 'new id' }, name: { type: 'string' }, page: { type: 'integer' } } }, true),
          responses: ok,
        },
      },
    }),
  );
  const x = tool(set, 'updateOrg');
  t.same(props(x.definition.inputSchema), ['id', 'page', 'header_page', 'body_id', 'name', 'body_page']);
  t.same(x.definition.inputSchema.required, ['id', 'body_id', 'name']);
  t.same(x.binding.body?.props, [
    { arg: 'body_id', prop: 'id' },
    { arg: 'name', prop: 'name' },
    { arg: 'body_page', prop: 'page' },
  ]);
  t.same(wire(x.binding.headers), [['header_page', 'page']]);
  t.equal((x.binding.pathParts[1] as ParamBinding).arg, 'id');
});

t.test('names LLM APIs reject are exposed as safe argument names while the wire name stays in the binding', async (t) => {
  const set = await toolsOf(
    oas30({
      '/search': {
        post: {
          operationId: 'search',
          parameters: [
            { name: '$select', in: 'query', schema: { type: 'string' } },
            { name: 'filter[name]', in: 'query', schema: { type: 'string' } },
            { name: 'page.size', in: 'query', schema: { type: 'integer' } },
            { name: 'api key', in: 'header', schema: { type: 'string' } },
            { name: 'größe', in: 'query', schema: { type: 'string' } },
            { name: '$$$', in: 'query', schema: { type: 'string' } },
            { name: 'q'.repeat(80), in: 'query', schema: { type: 'string' } },
          ],
          requestBody: json({ type: 'object', properties: { '@type': { type: 'string' }, 'meta:tags': { type: 'array' }, ['q'.repeat(80)]: { type: 'string' } } }),
          responses: ok,
        },
      },
    }),
  );
  const x = tool(set, 'search');
  const args = props(x.definition.inputSchema);
  t.equal(args.length, 10);
  for (const a of args) t.match(a, SAFE_ARG);
  t.equal(new Set(args).size, 10, 'all distinct');
  t.same(wire(x.binding.query).slice(0, 3), [
    ['select', '$select'],
    ['filter_name', 'filter[name]'],
    ['page.size', 'page.size'],
  ]);
  t.same(wire(x.binding.headers), [['api_key', 'api key']]);
  t.same(x.binding.body?.props?.map((p) => p.prop), ['@type', 'meta:tags', 'q'.repeat(80)]);
  t.same(x.binding.body?.props?.slice(0, 2).map((p) => p.arg), ['type', 'meta_tags']);
  t.same(compileProblems(set.tools), []);
});

t.test('an argument name that clashes at the 64-character limit stays within 64 characters', async (t) => {
  const long = 'x'.repeat(64);
  const set = await toolsOf(
    oas30({
      [`/a/{${long}}`]: {
        post: {
          operationId: 'a',
          parameters: [
            { name: long, in: 'path', required: true, schema: { type: 'string' } },
            { name: long, in: 'query', schema: { type: 'string' } },
            { name: long, in: 'header', schema: { type: 'string' } },
          ],
          requestBody: json({ type: 'object', properties: { [long]: { type: 'string' }, [`${long}y`]: { type: 'string' } } }),
          responses: ok,
        },
      },
    }),
  );
  const args = props(tool(set, 'a').definition.inputSchema);
  t.equal(args.length, 5);
  t.equal(new Set(args).size, 5, args.join(' '));
  for (const a of args) t.match(a, SAFE_ARG);
});

t.test('bodies that are not plain objects stay whole under `body`', async (t) => {
  const union = { oneOf: [{ type: 'object', required: ['a'], properties: { a: { type: 'string' } } }, { type: 'object', required: ['b'], properties: { b: { type: 'integer' } } }] };
  const set = await toolsOf(
    oas30({
      '/union': { post: { operationId: 'union', requestBody: json(union, true), responses: ok } },
      '/any': { post: { operationId: 'any', requestBody: json({ anyOf: [{ type: 'string' }, { type: 'integer' }] }), responses: ok } },
      '/list': { post: { operationId: 'list', requestBody: json({ type: 'array', items: { type: 'string' } }, true), responses: ok } },
      '/map': { post: { operationId: 'map', requestBody: json({ type: 'object', additionalProperties: { type: 'string' } }), responses: ok } },
      '/empty': { post: { operationId: 'empty', requestBody: json({ type: 'object' }), responses: ok } },
      '/text': { post: { operationId: 'text', requestBody: { required: true, content: { 'text/plain': { schema: { type: 'string' } } } }, responses: ok } },
      '/bytes': { put: { operationId: 'bytes', requestBody: { content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } }, responses: ok } },
    }),
  );
  for (const name of ['union', 'any', 'list', 'map', 'empty', 'text', 'bytes']) {
    const x = tool(set, name);
    t.same(props(x.definition.inputSchema), ['body'], name);
    t.equal(x.binding.body?.wholeArg, 'body', name);
    t.equal(x.binding.body?.props, undefined, name);
  }
  t.same(tool(set, 'union').definition.inputSchema.properties, { body: union });
  t.same(tool(set, 'union').definition.inputSchema.required, ['body']);
  t.same(tool(set, 'list').definition.inputSchema.properties, { body: { type: 'array', items: { type: 'string' } } });
  t.same(tool(set, 'map').definition.inputSchema.required, undefined);
  t.same(tool(set, 'text').binding.body?.kind, 'text');
  t.same(tool(set, 'bytes').binding.body?.kind, 'binary');
  t.equal((tool(set, 'bytes').definition.inputSchema.properties as Record<string, JsonObject>).body!.contentEncoding, 'base64');
  const v = validatorFor(tool(set, 'union').definition.inputSchema);
  t.ok(v({ body: { a: 'x' } }));
  t.ok(v({ body: { b: 1 } }));
  t.notOk(v({ body: { a: 1 } }));
  t.notOk(v({ body: { a: 'x', b: 1 } }), 'oneOf: exactly one');
});

t.test('a whole body does not take the name of a parameter called `body`', async (t) => {
  const set = await toolsOf(
    oas30({ '/x': { post: { operationId: 'x', parameters: [{ name: 'body', in: 'query', schema: { type: 'string' } }], requestBody: json({ type: 'array' }, true), responses: ok } } }),
  );
  const x = tool(set, 'x');
  t.same(props(x.definition.inputSchema), ['body', 'request_body']);
  t.equal(x.binding.body?.wholeArg, 'request_body');
  t.same(x.definition.inputSchema.required, ['request_body']);
});

t.test('flattened body properties are required only when the body itself is required', async (t) => {
  const schema = { type: 'object', required: ['name'], properties: { name: { type: 'string' }, tag: { type: 'string' } } };
  const set = await toolsOf(
    oas30({
      '/optional': { post: { operationId: 'optional', requestBody: json(schema, false), responses: ok } },
      '/required': { post: { operationId: 'required', requestBody: json(schema, true), responses: ok } },
    }),
  );
  t.same(props(tool(set, 'optional').definition.inputSchema), ['name', 'tag']);
  t.equal(tool(set, 'optional').definition.inputSchema.required, undefined);
  t.same(tool(set, 'required').definition.inputSchema.required, ['name']);
});

t.test('an allOf body is flattened with the properties and required lists of every part', async (t) => {
  const set = await toolsOf(
    oas30(
      {
        '/x': {
          post: {
            operationId: 'x',
            requestBody: json({ allOf: [{ $ref: '#/components/schemas/Base' }, { type: 'object', required: ['extra'], properties: { extra: { type: 'boolean' } } }] }, true),
            responses: ok,
          },
        },
      },
      { components: { schemas: { Base: { type: 'object', required: ['id'], properties: { id: { type: 'string' }, note: { type: 'string' } } } } } },
    ),
  );
  const x = tool(set, 'x').definition.inputSchema;
  t.same(props(x), ['id', 'note', 'extra']);
  t.same(x.required, ['id', 'extra']);
});

t.test('form and multipart bodies are flattened, and file fields are marked binary', async (t) => {
  const set = await toolsOf(
    oas30({
      '/form': {
        post: {
          operationId: 'form',
          requestBody: { content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', required: ['amount'], properties: { amount: { type: 'integer' }, metadata: { type: 'object', additionalProperties: { type: 'string' } } } } } }, required: true },
          responses: ok,
        },
      },
      '/upload': {
        post: {
          operationId: 'upload',
          requestBody: {
            content: {
              'multipart/form-data': {
                schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' }, caption: { type: 'string' } } },
                encoding: { file: { contentType: 'image/png' } },
              },
            },
          },
          responses: ok,
        },
      },
    }),
  );
  const form = tool(set, 'form');
  t.equal(form.binding.body?.kind, 'form');
  t.equal(form.binding.body?.mediaType, 'application/x-www-form-urlencoded');
  t.same(props(form.definition.inputSchema), ['amount', 'metadata']);
  t.same(form.definition.inputSchema.required, ['amount']);
  const upload = tool(set, 'upload');
  t.equal(upload.binding.body?.kind, 'multipart');
  t.same([...upload.binding.body!.binaryProps], ['file']);
  t.same(upload.binding.body?.encoding, { file: { contentType: 'image/png' } });
  t.same((upload.definition.inputSchema.properties as JsonObject).file, { type: 'string', contentEncoding: 'base64', description: '(base64-encoded file content)' });
});

t.test('JSON is preferred over other media types for the request body', async (t) => {
  const set = await toolsOf(
    oas30({
      '/x': {
        post: {
          operationId: 'x',
          requestBody: { content: { 'application/xml': { schema: { type: 'object', properties: { a: {} } } }, 'application/merge-patch+json': { schema: { type: 'object', properties: { b: {} } } } } },
          responses: ok,
        },
      },
    }),
  );
  t.equal(tool(set, 'x').binding.body?.mediaType, 'application/merge-patch+json');
  t.same(props(tool(set, 'x').definition.inputSchema), ['b']);
});

t.test('template parameters the spec forgot to declare are required string arguments, and undeclared-in-template path parameters are dropped', async (t) => {
  const set = await toolsOf(
    oas30({
      '/files/{name}.{format}': { get: { operationId: 'getFile', parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }, { name: 'stale', in: 'path', required: true, schema: { type: 'string' } }], responses: ok } },
    }),
  );
  const x = tool(set, 'getFile');
  t.same(x.definition.inputSchema.properties, { name: { type: 'string' }, format: { type: 'string' } });
  t.same(x.definition.inputSchema.required, ['name', 'format']);
  t.same(x.binding.pathParts.map((p) => (typeof p === 'string' ? p : `{${p.arg}}`)), ['/files/', '{name}', '.', '{format}']);
});

t.test('a query string inside the path template becomes a fixed query', async (t) => {
  const set = await toolsOf(oas30({ '/?Action=DescribeInstances&Version=2016-11-15': { get: { operationId: 'describe', responses: ok } } }));
  const x = tool(set, 'describe');
  t.equal(x.binding.fixedQuery, 'Action=DescribeInstances&Version=2016-11-15');
  t.same(x.binding.pathParts, ['/']);
});

t.test('credential, framing and negotiation headers never become arguments', async (t) => {
  const headers = ['Authorization', 'Cookie', 'Content-Type', 'Accept', 'Host', 'Content-Length', 'Proxy-Authorization', 'X-Request-Id'];
  const set = await toolsOf(oas30({ '/x': { get: { operationId: 'x', parameters: headers.map((name) => ({ name, in: 'header', required: true, schema: { type: 'string' } })), responses: ok } } }));
  const x = tool(set, 'x');
  t.same(props(x.definition.inputSchema), ['X-Request-Id']);
  t.same(wire(x.binding.headers), [['X-Request-Id', 'X-Request-Id']]);
});

t.test('parameter styles default per location and explicit ones are kept', async (t) => {
  const set = await toolsOf(
    oas30({
      '/x/{id}': {
        get: {
          operationId: 'x',
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'array', items: { type: 'string' } }, style: 'label' },
            { name: 'tags', in: 'query', schema: { type: 'array', items: { type: 'string' } }, explode: false },
            { name: 'filter', in: 'query', schema: { type: 'object' }, style: 'deepObject', allowReserved: true },
            { name: 'sid', in: 'cookie', schema: { type: 'string' } },
          ],
          responses: ok,
        },
      },
    }),
  );
  const b = tool(set, 'x').binding;
  t.match(b.pathParts[1], { arg: 'id', style: 'label', explode: false });
  t.match(b.query, [
    { arg: 'tags', style: 'form', explode: false, allowReserved: false },
    { arg: 'filter', style: 'deepObject', explode: false, allowReserved: true },
  ]);
  t.match(b.cookies, [{ arg: 'sid', style: 'form', explode: true }]);
});

t.test('descriptions come from summary and description; deprecated operations say so', async (t) => {
  const set = await toolsOf(
    oas30({
      '/a': {
        get: { operationId: 'a', summary: 'List pets', description: 'Returns every pet.', responses: ok },
        post: { operationId: 'b', summary: 'Add a pet', description: 'Add a pet to the store.', deprecated: true, responses: ok },
        put: { operationId: 'c', responses: ok },
        patch: { operationId: 'd', description: 'x'.repeat(5000), responses: ok },
      },
    }),
  );
  t.equal(tool(set, 'a').definition.description, 'List pets\n\nReturns every pet.');
  t.equal(tool(set, 'a').definition.title, 'List pets');
  t.equal(tool(set, 'b').definition.description, '[Deprecated] Add a pet to the store.');
  t.equal(tool(set, 'c').definition.description, 'PUT /a');
  t.equal(tool(set, 'c').definition.title, undefined);
  t.equal(tool(set, 'd').definition.description.length, 2000);
});

t.test('annotations follow the HTTP method', async (t) => {
  const set = await toolsOf(
    oas30({
      '/x': {
        get: { operationId: 'get', responses: ok },
        head: { operationId: 'head', responses: ok },
        put: { operationId: 'put', responses: ok },
        delete: { operationId: 'delete', responses: ok },
        post: { operationId: 'post', responses: ok },
        patch: { operationId: 'patch', responses: ok },
        options: { operationId: 'options', responses: ok },
      },
    }),
  );
  const ann = Object.fromEntries(set.tools.map((x) => [x.name, x.definition.annotations]));
  t.same(ann, {
    get: { readOnlyHint: true },
    head: { readOnlyHint: true },
    put: { idempotentHint: true },
    delete: { destructiveHint: true, idempotentHint: true },
    post: {},
    patch: {},
    options: {},
  });
});

t.test('an output schema is published only for JSON object responses with a 2xx status', async (t) => {
  const obj = { type: 'object', properties: { id: { type: 'string' } } };
  const res = (status: string, mt: string, schema: object) => ({ [status]: { description: 'x', content: { [mt]: { schema } } } });
  const set = await toolsOf(
    oas31(
      {
        '/x': {
          get: { operationId: 'object', responses: res('200', 'application/json', obj) },
          post: { operationId: 'created', responses: { '400': { description: 'bad', content: { 'application/json': { schema: obj } } }, ...res('201', 'application/json', obj) } },
          put: { operationId: 'vendor', responses: res('2XX', 'application/vnd.api+json; charset=utf-8', obj) },
          patch: { operationId: 'untyped', responses: res('200', 'application/json', { properties: { id: {} } }) },
          delete: { operationId: 'ref', responses: res('200', 'application/json', { $ref: '#/components/schemas/Obj' }) },
        },
        '/no': {
          get: { operationId: 'array', responses: res('200', 'application/json', { type: 'array', items: obj }) },
          post: { operationId: 'string', responses: res('200', 'application/json', { type: 'string' }) },
          put: { operationId: 'text', responses: res('200', 'text/plain', obj) },
          patch: { operationId: 'errorOnly', responses: res('404', 'application/json', obj) },
          delete: { operationId: 'default', responses: res('default', 'application/json', obj) },
          options: { operationId: 'union', responses: res('200', 'application/json', { oneOf: [obj, { type: 'string' }] }) },
          head: { operationId: 'noSchema', responses: { '200': { description: 'x', content: { 'application/json': {} } } } },
          trace: { operationId: 'noContent', responses: { '204': { description: 'x' } } },
        },
      },
      { components: { schemas: { Obj: obj } } },
    ),
  );
  const withOutput = set.tools.filter((x) => x.definition.outputSchema).map((x) => x.name);
  t.same(withOutput, ['object', 'vendor', 'created', 'ref', 'untyped']);
  for (const name of withOutput) t.equal(tool(set, name).definition.outputSchema!.type, 'object', name);
  t.same(tool(set, 'ref').definition.outputSchema, { type: 'object', properties: { id: { type: 'string' } }, $defs: { Obj: obj } });
  t.same(compileProblems(set.tools), []);
});

t.test('the Accept header lists the 2xx response media types', async (t) => {
  const set = await toolsOf(
    oas30({
      '/x': {
        get: { operationId: 'a', responses: { '200': { description: 'x', content: { 'application/json': {}, 'text/csv': {} } } } },
        post: { operationId: 'b', responses: { '204': { description: 'x' } } },
      },
    }),
  );
  t.equal(tool(set, 'a').binding.accept, 'application/json, text/csv, */*;q=0.8');
  t.equal(tool(set, 'b').binding.accept, 'application/json, */*;q=0.8');
});

t.test('tools.outputSchema: false publishes no output schemas', async (t) => {
  const doc = oas30({ '/x': { get: { operationId: 'x', responses: { '200': { description: 'x', content: { 'application/json': { schema: { type: 'object' } } } } } } } });
  t.ok(tool(await toolsOf(doc), 'x').definition.outputSchema);
  t.equal(tool(await toolsOf(doc, { tools: { outputSchema: false } }), 'x').definition.outputSchema, undefined);
});

t.test('security requirements come from the operation, else from the document', async (t) => {
  const set = await toolsOf(
    oas30(
      {
        '/x': {
          get: { operationId: 'inherit', responses: ok },
          post: { operationId: 'own', security: [{ oauth: ['write'] }], responses: ok },
          delete: { operationId: 'none', security: [], responses: ok },
        },
      },
      { security: [{ oauth: ['read'] }] },
    ),
  );
  t.same(tool(set, 'inherit').security, [{ oauth: ['read'] }]);
  t.same(tool(set, 'own').security, [{ oauth: ['write'] }]);
  t.same(tool(set, 'none').security, []);
});
