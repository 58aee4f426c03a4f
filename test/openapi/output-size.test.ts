import t from 'tap';
import { toolsOf } from '../helpers/specs.js';

// A response schema far larger than any model needs: 400 string properties.
const wide = { type: 'object', properties: Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`field_${i}`, { type: 'string', description: `Field number ${i}` }])) };
const small = { type: 'object', properties: { id: { type: 'integer' } } };
const op = (operationId: string, schema: object) => ({
  get: { operationId, responses: { '200': { description: 'ok', content: { 'application/json': { schema } } } } },
});
const doc = { openapi: '3.0.3', info: { title: 't', version: '1' }, paths: { '/wide': op('getWide', wide), '/small': op('getSmall', small) } };

t.test('outputSchemas over tools.maxOutputSchemaSize are left out, with one warning', async (t) => {
  const set = await toolsOf(doc);
  const byName = Object.fromEntries(set.tools.map((x) => [x.name, x.definition]));
  t.ok(JSON.stringify(wide).length > 16_000, 'the wide schema is over the default 16kb');
  t.notOk(byName.getWide!.outputSchema, 'the wide one is left out');
  t.ok(byName.getSmall!.outputSchema, 'the small one stays');
  t.match(set.warnings.join('\n'), /1 tools have response schemas over tools.maxOutputSchemaSize/);
});

t.test('maxOutputSchemaSize: 0 keeps every outputSchema', async (t) => {
  const set = await toolsOf(doc, { tools: { maxOutputSchemaSize: 0 } });
  t.ok(set.tools.every((x) => x.definition.outputSchema), 'both keep theirs');
  t.notMatch(set.warnings.join('\n'), /maxOutputSchemaSize/);
});

t.test('responses that reach a web of shared schemas are measured, not built: Microsoft Graph-style specs stay fast and small', async (t) => {
  // 300 schemas that all reference each other's neighbours, and 200 operations answering with one each:
  // every response's $defs closure is the whole web (~300 defs, far over 16kb).
  const N = 300;
  const schemas = Object.fromEntries(
    Array.from({ length: N }, (_, i) => [`Entity${i}`, { type: 'object', properties: { id: { type: 'string' }, next: { $ref: `#/components/schemas/Entity${(i + 1) % N}` }, back: { $ref: `#/components/schemas/Entity${(i + N - 1) % N}` } } }]),
  );
  const paths = Object.fromEntries(
    Array.from({ length: 200 }, (_, i) => [
      `/e${i}`,
      {
        get: { operationId: `get${i}`, responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: `#/components/schemas/Entity${i}` } } } } } },
        post: { operationId: `create${i}`, requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { name: { type: 'string' } } } } } }, responses: { '201': { description: 'ok' } } },
      },
    ]),
  );
  const set = await toolsOf({ openapi: '3.0.3', info: { title: 'graph', version: '1' }, paths, components: { schemas } });
  t.equal(set.tools.length, 400);
  t.ok(set.tools.every((x) => !x.definition.outputSchema), 'every web-sized response schema is left out');
  t.match(set.warnings.join('\n'), /200 tools have response schemas over tools.maxOutputSchemaSize/);
  t.same(Object.keys(set.tools.find((x) => x.name === 'create7')!.definition.inputSchema.properties as object), ['name'], 'inputs are untouched');
});
