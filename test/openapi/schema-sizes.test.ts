// The output-schema size cap counts shared $defs once per def; the count must still be exactly
// the length of the schema's JSON.
import t from 'tap';
import { SchemaSizes } from '../../src/openapi/tools.js';

t.test('the size is the JSON length, $defs or not, shared defs reused', async (t) => {
  const shared = { type: 'object', properties: { login: { type: 'string', description: 'naïve “quoted”' } } };
  const schemas: Record<string, unknown>[] = [
    { type: 'object', properties: { a: { type: 'string' } } },
    { type: 'object', properties: { owner: { $ref: '#/$defs/user' } }, $defs: { user: shared } },
    { $defs: { user: shared, 'we"ird': { type: 'integer' } }, type: 'object', required: ['x'] },
    { $defs: { user: shared } },
    { type: 'object', $defs: {} },
  ];
  const sizes = new SchemaSizes();
  for (const s of schemas) t.equal(sizes.of(s), JSON.stringify(s).length, JSON.stringify(s).slice(0, 60));
  for (const s of schemas) t.equal(sizes.of(s), JSON.stringify(s).length, 'again, from the cache');
});
