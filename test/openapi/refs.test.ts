import t from 'tap';
import type { JsonObject } from '../../src/openapi/types.js';
import { compileProblems, oas30, oas31, refProblems, refsIn, tool, toolsOf, toolsOfFile, validatorFor } from '../helpers/specs.js';

const ok = { '200': { description: 'ok' } };

t.test('recursive schemas give finite, serialisable tool schemas that share $defs', async (t) => {
  const set = await toolsOfFile('recursive.yaml');
  t.same(set.tools.map((x) => x.name), ['createTree', 'putGraph', 'search', 'listTags']);
  for (const x of set.tools) {
    for (const schema of [x.definition.inputSchema, x.definition.outputSchema]) {
      if (!schema) continue;
      const text = JSON.stringify(schema);
      t.ok(text.length < 5000, `${x.name}: ${text.length} chars`);
      t.same(refProblems(schema), [], `${x.name}: every $ref resolves in its own $defs`);
      t.notMatch(text, /#\/components\//, `${x.name}: no reference into the document`);
    }
  }
  t.same(compileProblems(set.tools), []);
});

t.test('a tree node that references itself validates arbitrarily deep trees', async (t) => {
  const set = await toolsOfFile('recursive.yaml');
  const create = tool(set, 'createTree').definition;
  t.same(Object.keys(create.inputSchema.properties as object), ['value', 'parent', 'children', 'attributes']);
  t.same(create.inputSchema.required, ['value']);
  t.same(Object.keys(create.inputSchema.$defs as object), ['TreeNode']);
  t.same((create.inputSchema.properties as JsonObject).children, { type: 'array', items: { $ref: '#/$defs/TreeNode' } });
  const v = validatorFor(create.inputSchema);
  const deep = { value: 'root', children: [{ value: 'a', children: [{ value: 'b', attributes: { x: { value: 'c', parent: { value: 'd' } } } }] }] };
  t.ok(v(deep));
  const bad = structuredClone(deep);
  delete (bad.children[0]!.children[0]!.attributes.x.parent as { value?: string }).value;
  t.notOk(v(bad), 'a node four levels down without its required value is rejected');

  t.ok(create.outputSchema, 'the recursive response has an output schema');
  t.equal(create.outputSchema!.type, 'object');
  t.same((create.outputSchema!.properties as JsonObject).parent, { $ref: '#/$defs/TreeNode' });
});

t.test('mutually recursive schemas (Person ↔ Company) stay finite and carry exactly the defs they need', async (t) => {
  const set = await toolsOfFile('recursive.yaml');
  const put = tool(set, 'putGraph').definition;
  t.same(Object.keys(put.inputSchema.$defs as object), ['Company', 'Person']);
  t.same(Object.keys(put.outputSchema!.$defs as object), ['BinaryExpr', 'Company', 'Expr', 'Person']);
  const v = validatorFor(put.inputSchema);
  t.ok(v({ name: 'Ada', employer: { title: 'ACME', employees: [{ name: 'Bob', employer: { title: 'ACME' } }], ceo: null } }));
  t.notOk(v({ name: 'Ada', employer: { employees: [] } }), 'the company still needs a title');
  t.notOk(v({ name: 'Ada', employer: { title: 'ACME', employees: [{ employer: { title: 'x' } }] } }), 'an employee still needs a name');
  const out = validatorFor(put.outputSchema!);
  t.ok(out({ person: { name: 'Ada' }, expr: { op: '+', left: 1, right: { op: '*', left: 2, right: 3 } } }));
  t.notOk(out({ expr: { op: '%', left: 1, right: 2 } }));
});

t.test('a tool only carries the $defs it references, not the whole components section', async (t) => {
  const set = await toolsOfFile('recursive.yaml');
  const tags = tool(set, 'listTags').definition;
  t.same(tags.inputSchema.$defs, undefined, 'no references, no $defs');
  t.same(Object.keys(tags.outputSchema!.$defs as object), ['Tag']);
  const search = tool(set, 'search').definition;
  t.same(Object.keys(search.inputSchema.$defs as object), ['Filter']);
  t.same((search.inputSchema.properties as JsonObject).filter, { $ref: '#/$defs/Filter' });
  t.equal(tool(set, 'search').binding.query[0]!.contentType, 'application/json');
  t.same(Object.keys(search.outputSchema!.$defs as object), ['Page', 'TreeNode']);
});

t.test('a response that is itself a recursive $ref is inlined at the top as type object', async (t) => {
  const set = await toolsOfFile('recursive.yaml');
  const out = tool(set, 'search').definition.outputSchema!;
  t.equal(out.type, 'object');
  t.notOk('$ref' in out);
  t.same((out.properties as JsonObject).next, { $ref: '#/$defs/Page' });
  t.ok(validatorFor(out)({ items: [{ value: 'x' }], next: { items: [], next: {} } }));
});

t.test('path items, parameters, request bodies and responses may all be $refs', async (t) => {
  const set = await toolsOf(
    oas31(
      {
        '/items/{id}': { $ref: '#/components/pathItems/Item' },
        '/things': {
          post: {
            operationId: 'makeThing',
            parameters: [{ $ref: '#/components/parameters/Limit' }],
            requestBody: { $ref: '#/components/requestBodies/Thing' },
            responses: { '201': { $ref: '#/components/responses/Thing' } },
          },
        },
      },
      {
        components: {
          pathItems: {
            Item: {
              parameters: [{ $ref: '#/components/parameters/Id' }],
              get: { operationId: 'getItem', responses: ok },
              delete: { operationId: 'deleteItem', responses: ok },
            },
          },
          parameters: {
            Id: { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
            Limit: { $ref: '#/components/parameters/RealLimit' },
            RealLimit: { name: 'limit', in: 'query', schema: { type: 'integer', maximum: 100 } },
          },
          requestBodies: { Thing: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } } },
          responses: { Thing: { description: 'Created', content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } } },
          schemas: { Thing: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, size: { type: 'integer' } } } },
        },
      },
    ),
  );
  t.same(set.tools.map((x) => x.name), ['getItem', 'deleteItem', 'makeThing']);
  t.same(tool(set, 'getItem').definition.inputSchema.properties, { id: { type: 'string', format: 'uuid' } });
  t.same(tool(set, 'deleteItem').definition.inputSchema.required, ['id']);
  const make = tool(set, 'makeThing');
  t.same(make.definition.inputSchema.properties, { limit: { type: 'integer', maximum: 100 }, name: { type: 'string' }, size: { type: 'integer' } });
  t.same(make.definition.inputSchema.required, ['name']);
  t.same(make.binding.body?.props, [
    { arg: 'name', prop: 'name' },
    { arg: 'size', prop: 'size' },
  ]);
  t.same(Object.keys(make.definition.outputSchema!.properties as object), ['name', 'size']);
});

t.test('a whole operation may be a $ref', async (t) => {
  const set = await toolsOf(
    oas30(
      { '/ping': { get: { $ref: '#/x-operations/ping' } } },
      { 'x-operations': { ping: { operationId: 'ping', summary: 'Ping', parameters: [{ name: 'echo', in: 'query', schema: { type: 'string' } }], responses: ok } } },
    ),
  );
  t.same(set.tools.map((x) => x.name), ['ping']);
  t.same(Object.keys(tool(set, 'ping').definition.inputSchema.properties as object), ['echo']);
});

t.test('a $ref to a parameter with sibling keys takes the siblings (3.1 description override)', async (t) => {
  const set = await toolsOf(
    oas31(
      { '/a': { get: { operationId: 'a', parameters: [{ $ref: '#/components/parameters/Q', description: 'Overridden.' }], responses: ok } } },
      { components: { parameters: { Q: { name: 'q', in: 'query', description: 'Original.', schema: { type: 'string' } } } } },
    ),
  );
  t.same(tool(set, 'a').definition.inputSchema.properties, { q: { type: 'string', description: 'Overridden.' } });
});

t.test('dangling and circular $refs do not crash the build; what can be kept is kept', async (t) => {
  const set = await toolsOf(
    oas30(
      {
        '/loop': { $ref: '#/paths/~1loop2' },
        '/loop2': { $ref: '#/paths/~1loop' },
        '/gone': { $ref: '#/components/pathItems/Gone' },
        '/a': {
          post: {
            operationId: 'a',
            parameters: [{ $ref: '#/components/parameters/Missing' }, { $ref: '#/components/parameters/Self' }, { name: 'q', in: 'query', schema: { $ref: '#/components/schemas/Missing' } }],
            requestBody: { $ref: '#/components/requestBodies/Missing' },
            responses: { '200': { $ref: '#/components/responses/Missing' } },
          },
        },
      },
      { components: { parameters: { Self: { $ref: '#/components/parameters/Self' } } } },
    ),
  );
  t.same(set.tools.map((x) => x.name), ['a']);
  const a = tool(set, 'a').definition;
  t.same(a.inputSchema.properties, { q: { description: '(unresolved reference #/components/schemas/Missing)' } });
  t.equal(a.outputSchema, undefined);
  t.same(set.warnings, ['dangling $ref #/components/schemas/Missing']);
  t.same(compileProblems(set.tools), []);
});

t.test('no tool schema refers outside itself, even when schemas are reached through parameters, bodies and responses', async (t) => {
  const schemas: Record<string, object> = {};
  for (let i = 0; i < 20; i++) schemas[`S${i}`] = { type: 'object', properties: { next: { $ref: `#/components/schemas/S${(i + 1) % 20}` }, skip: { $ref: `#/components/schemas/S${(i + 7) % 20}` }, n: { type: 'integer' } } };
  const paths: Record<string, object> = {};
  for (let i = 0; i < 20; i++) {
    paths[`/s${i}`] = {
      post: {
        operationId: `s${i}`,
        parameters: [{ name: 'f', in: 'query', schema: { $ref: `#/components/schemas/S${i}` } }],
        requestBody: { content: { 'application/json': { schema: { type: 'array', items: { $ref: `#/components/schemas/S${(i + 3) % 20}` } } } } },
        responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: `#/components/schemas/S${(i + 5) % 20}` } } } } },
      },
    };
  }
  const set = await toolsOf(oas30(paths, { components: { schemas } }));
  t.equal(set.tools.length, 20);
  for (const x of set.tools) {
    t.same([...refProblems(x.definition.inputSchema), ...refProblems(x.definition.outputSchema)], [], x.name);
    t.ok(refsIn(x.definition.inputSchema).length > 0);
  }
  t.same(compileProblems(set.tools), []);
});
