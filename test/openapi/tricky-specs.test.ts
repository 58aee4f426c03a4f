import path from 'node:path';
import t from 'tap';
import { loadSpec } from '../../src/openapi/load.js';
import { buildToolSet } from '../../src/openapi/tools.js';
import type { JsonObject } from '../../src/openapi/types.js';
import { compileProblems, oas30, oas31, refProblems, serverConfig, specsDir, tool, toolsOf, toolsOfFile, validatorFor } from '../helpers/specs.js';

const ok = { '200': { description: 'ok' } };

t.test('a webhooks-only 3.1 spec (no paths) gives zero tools and no error', async (t) => {
  const spec = await loadSpec(path.join(specsDir, 'webhooks-only.yaml'), { refHosts: [] });
  t.equal(spec.version, '3.1');
  const set = buildToolSet(spec, serverConfig());
  t.same(set.tools, []);
  t.equal(set.operationCount, 0);
  t.equal(set.title, 'Webhooks only');
});

t.test('boolean schemas where an argument’s schema is expected become {} arguments with a warning, not crashes', async (t) => {
  // The MCP SDK client rejects the whole tools/list when one property schema is not an object.
  const set = await toolsOfFile('tricky-3.1.yaml');
  const anything = tool(set, 'postAnything').definition;
  t.same(anything.inputSchema.properties, { body: {} });
  t.same(anything.inputSchema.required, ['body']);
  t.equal(anything.outputSchema, undefined, 'a `true` response schema is not a JSON object schema');
  const nothing = tool(set, 'postNothing').definition;
  t.same(nothing.inputSchema.properties, { never: {}, any: {} });
  const v = validatorFor(nothing.inputSchema);
  t.ok(v({ any: [1, 'x'] }));
  t.ok(set.warnings.includes('property "never" has false as its schema (a misplaced keyword?), which is not a schema; read as {}'), set.warnings.join('\n'));
  t.same(compileProblems(set.tools), []);
});

t.test('3.1 type lists, const, prefixItems and $ref siblings survive conversion and validate', async (t) => {
  const set = await toolsOfFile('tricky-3.1.yaml');
  const put = tool(set, 'putPoint').definition.inputSchema;
  const p = put.properties as Record<string, JsonObject>;
  t.same(p.point, { type: 'array', prefixItems: [{ type: 'number' }, { type: 'number' }], items: false });
  t.same(p.kind, { const: 'point' });
  t.same(p.label, { description: 'A label for the point (sibling of $ref).', allOf: [{ $ref: '#/$defs/Label' }] }, 'siblings of $ref move out beside an allOf');
  t.same(p.never, { $ref: '#/$defs/Never' });
  t.same((put.$defs as JsonObject).Label, { type: ['string', 'null'], maxLength: 20 });
  t.same((put.$defs as JsonObject).Never, false);
  t.same((put.$defs as JsonObject).Meta, { type: 'object', additionalProperties: { type: 'string' } }, 'a $ref into a schema’s own $defs');
  t.same(refProblems(put), []);
  const v = validatorFor(put);
  t.ok(v({ point: [1, 2], kind: 'point', label: null, meta: { a: 'b' } }));
  t.notOk(v({ point: [1, 2, 3] }), 'items: false after prefixItems');
  t.notOk(v({ kind: 'line' }));
  t.notOk(v({ label: 'x'.repeat(21) }));
  t.notOk(v({ never: 'anything' }));
});

t.test('a oneOf body with a discriminator stays whole and validates each branch', async (t) => {
  const set = await toolsOfFile('tricky-3.1.yaml');
  const shape = tool(set, 'postShape');
  t.equal(shape.binding.body?.wholeArg, 'body');
  t.notMatch(JSON.stringify(shape.definition.inputSchema), /discriminator/);
  const v = validatorFor(shape.definition.inputSchema);
  t.ok(v({ body: { kind: 'circle', radius: 1 } }));
  t.ok(v({ body: { kind: 'square', side: 2 } }));
  t.notOk(v({ body: { kind: 'circle', radius: 0 } }), 'exclusiveMinimum 0');
  t.notOk(v({ body: { kind: 'triangle' } }));
  t.equal(shape.definition.outputSchema, undefined, 'a response that may be null is not always an object: no output schema');
});

t.test('structurally broken documents still build the tools that can be built', async (t) => {
  const set = await toolsOf(
    oas30({
      '/null': null,
      '/string': 'oops',
      '/weird': {
        get: 'not an operation',
        post: { parameters: 'nope', requestBody: { content: null }, responses: null },
        put: {
          parameters: [null, 1, { in: 'query' }, { name: 'a', in: 'body' }, { name: 'b', in: 'query', schema: null }, { name: 'c', in: 'query', schema: { type: 'object', properties: null, required: 'yes', enum: 'x' } }],
          requestBody: { content: { 'application/json': { schema: 'just a string' } } },
          responses: { '200': { description: 'x', content: { 'application/json': { schema: false } } } },
        },
        patch: { requestBody: { content: {} }, responses: { default: { description: 'x' } } },
      },
    }),
  );
  t.same(set.tools.map((x) => x.name), ['put_weird', 'post_weird', 'patch_weird']);
  t.same(tool(set, 'put_weird').definition.inputSchema.properties, { b: {}, c: { type: 'object' }, body: {} });
  t.same(tool(set, 'post_weird').definition.inputSchema.properties, {});
  t.same(compileProblems(set.tools), []);
});

t.test('a schema that is only a $ref to itself (or a ring of bare $refs) becomes "any value" with a warning', async (t) => {
  const set = await toolsOf(
    oas31(
      {
        '/a': {
          post: {
            operationId: 'a',
            requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Self' } } } },
            parameters: [{ name: 'p', in: 'query', schema: { $ref: '#/components/schemas/P' } }],
            responses: { '200': { description: 'x', content: { 'application/json': { schema: { type: 'object', properties: { q: { $ref: '#/components/schemas/Q' } } } } } } },
          },
        },
      },
      { components: { schemas: { Self: { $ref: '#/components/schemas/Self' }, P: { $ref: '#/components/schemas/Q' }, Q: { $ref: '#/components/schemas/P' } } } },
    ),
  );
  const a = tool(set, 'a').definition;
  t.same(compileProblems(set.tools), [], 'ajv compiles instead of overflowing its stack');
  t.same(refProblems(a.inputSchema), []);
  t.same(refProblems(a.outputSchema), []);
  t.ok(validatorFor(a.inputSchema)({ body: { anything: 1 }, p: 'x' }));
  t.ok(set.warnings.some((w) => /circular \$ref chain at #\/components\/schemas\/Self/.test(w)), set.warnings.join('; '));
});

t.test('component names with spaces, slashes and non-ASCII letters give valid, resolvable $defs keys', async (t) => {
  const set = await toolsOf(
    oas30(
      {
        '/a': {
          post: {
            operationId: 'a',
            requestBody: {
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: { u: { $ref: '#/components/schemas/%C3%9Cber%20Typ' }, s: { $ref: '#/components/schemas/a~1b' }, t: { $ref: '#/components/schemas/a_b' }, d: { $ref: '#/components/schemas/v1.Pet' } },
                  },
                },
              },
            },
            responses: ok,
          },
        },
      },
      { components: { schemas: { 'Über Typ': { type: 'integer' }, 'a/b': { type: 'boolean' }, a_b: { type: 'string' }, 'v1.Pet': { type: 'object' } } } },
    ),
  );
  const schema = tool(set, 'a').definition.inputSchema;
  const keys = Object.keys(schema.$defs as object);
  t.equal(keys.length, 4);
  for (const k of keys) t.match(k, /^[A-Za-z0-9_.-]+$/);
  t.same(refProblems(schema), []);
  const v = validatorFor(schema);
  t.ok(v({ u: 1, s: true, t: 'x', d: {} }));
  t.notOk(v({ s: 'not a boolean' }));
  t.notOk(v({ t: false }));
});

t.test('a deeply nested inline schema converts without blowing the stack', async (t) => {
  let schema: JsonObject = { type: 'string' };
  for (let i = 0; i < 300; i++) schema = { type: 'object', properties: { [`l${i}`]: schema } };
  const set = await toolsOf(oas30({ '/deep': { post: { operationId: 'deep', requestBody: { content: { 'application/json': { schema } } }, responses: ok } } }));
  t.same(Object.keys(tool(set, 'deep').definition.inputSchema.properties as object), ['l299']);
  t.same(compileProblems(set.tools), []);
});

t.test('a large spec whose operations share schemas builds quickly and shares the converted defs', async (t) => {
  const schemas: Record<string, object> = {};
  for (let i = 0; i < 200; i++) {
    schemas[`Model${i}`] = {
      type: 'object',
      required: ['id'],
      properties: { id: { type: 'string' }, next: { $ref: `#/components/schemas/Model${(i + 1) % 200}` }, tags: { type: 'array', items: { type: 'string' } } },
    };
  }
  const paths: Record<string, object> = {};
  for (let i = 0; i < 1000; i++) {
    paths[`/r${i}/{id}`] = {
      get: { operationId: `get${i}`, parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { '200': { description: 'x', content: { 'application/json': { schema: { $ref: `#/components/schemas/Model${i % 200}` } } } } } },
      put: { operationId: `put${i}`, requestBody: { content: { 'application/json': { schema: { $ref: `#/components/schemas/Model${i % 200}` } } } }, responses: ok },
    };
  }
  const started = performance.now();
  const set = await toolsOf(oas30(paths, { components: { schemas } }), { tools: { maxOutputSchemaSize: 0 } });
  const ms = performance.now() - started;
  t.equal(set.tools.length, 2000);
  t.comment(`built in ${Math.round(ms)} ms (speed is measured by npm run bench, not asserted here)`);
  const a = tool(set, 'get0').definition.outputSchema!.$defs as JsonObject;
  const b = tool(set, 'get1').definition.outputSchema!.$defs as JsonObject;
  t.equal(Object.keys(a).length, 200, 'the ring of 200 models is carried as defs');
  t.equal(a.Model5, b.Model5, 'the same converted object, not a copy');
});
