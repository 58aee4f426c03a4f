// Response schemas are measured before their shared $defs are built (the output-schema size cap);
// the measure must be exactly the length of the $defs JSON that would be built.
import t from 'tap';
import { SchemaConverter } from '../../src/openapi/schema.js';

t.test('defsSize is the JSON length of defsFor, shared defs measured once', async (t) => {
  const schemas = {
    User: { type: 'object', properties: { login: { type: 'string', description: 'naïve “quoted”' }, org: { $ref: '#/components/schemas/Org' } } },
    Org: { type: 'object', properties: { members: { type: 'array', items: { $ref: '#/components/schemas/User' } } } },
    'we"ird name': { type: 'integer' },
    Plain: { type: 'string' },
  };
  const conv = new SchemaConverter({ components: { schemas } }, '3.0', 'output');
  const cases: unknown[] = [
    { type: 'object', properties: { a: { type: 'string' } } },
    { $ref: '#/components/schemas/User' },
    { type: 'object', properties: { u: { $ref: '#/components/schemas/User' }, w: { $ref: '#/components/schemas/we"ird name' }, p: { $ref: '#/components/schemas/Plain' } } },
  ];
  for (const schema of cases) {
    for (const pass of ['first', 'again, from the cache']) {
      const deps = new Set<string>();
      conv.convert(schema, deps);
      const defs = conv.defsFor(deps);
      t.equal(conv.defsSize(deps), defs ? JSON.stringify(defs).length : 0, `${JSON.stringify(schema).slice(0, 60)} (${pass})`);
    }
  }
});
