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
