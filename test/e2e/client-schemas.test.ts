import t from 'tap';
import { createRuleChecker } from '../helpers/client-rules.js';
import { connectClient, startTestSidecar } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';

// A spec with the mistakes real specs make, served by the sidecar and listed by the real MCP SDK
// client: one bad tool schema makes Client.listTools() throw and loses every tool of the server.

const ok = { '200': { description: 'ok', content: { 'application/json': { schema: { type: 'object', properties: { tags: { type: 'array' } } } } } } };
const api = {
  openapi: '3.1.0',
  info: { title: 'Mistakes', version: '1' },
  paths: {
    '/records/{id}': {
      patch: {
        // Vercel's updateRecord: `additionalProperties: false` written inside `properties`.
        operationId: 'updateRecord',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, additionalProperties: false } } } },
        },
        responses: ok,
      },
    },
    '/search': {
      get: {
        operationId: '2fa_search_with_a_rather_long_operation_id_that_goes_on_and_on',
        parameters: [
          { name: 'tags', in: 'query', schema: { type: 'array' } },
          { name: 'sort', in: 'query', schema: { type: 'string', enum: ['asc', 'desc', 'asc'] } },
          { name: 'owner', in: 'query', description: 'Who owns it', schema: { $ref: '#/components/schemas/Owner' } },
        ],
        responses: ok,
      },
    },
  },
  components: { schemas: { Owner: { type: 'string', minLength: 1 } } },
};

t.test('the SDK client lists every tool of a spec with property, array, enum, $ref and name mistakes, and each passes every client rule', async (t) => {
  const up = await startUpstream();
  t.teardown(() => up.close());
  const sidecar = await startTestSidecar(t, { config: { servers: [{ name: 'mistakes', path: '/mcp', spec: './api.json', upstream: { baseUrl: up.url } }] }, files: { 'api.json': api } });
  const client = await connectClient(t, `${sidecar.url}/mcp`);
  const { tools } = await client.listTools();
  t.equal(tools.length, 2);
  const check = createRuleChecker({ serverName: 'mistakes' });
  for (const tool of tools) t.same(check(tool as Parameters<typeof check>[0]), [], `${tool.name} passes every client rule`);

  const update = tools.find((x) => x.name === 'updateRecord')!;
  t.same(Object.keys(update.inputSchema.properties ?? {}), ['id', 'name'], 'the property whose schema is false is left out');
  const search = tools.find((x) => x.name !== 'updateRecord')!;
  t.match(search.name, /^_2fa_search_/, 'a name never starts with a digit (Gemini)');
  t.ok(search.name.length <= 48, `${search.name} fits the default maxNameLength`);
  const props = search.inputSchema.properties as Record<string, Record<string, unknown>>;
  t.same(props.tags, { type: 'array', items: {} });
  t.same(props.sort, { type: 'string', enum: ['asc', 'desc'] });
  t.same(props.owner, { description: 'Who owns it', allOf: [{ $ref: '#/$defs/Owner' }] });

  // The repaired tools still call the API as the spec describes.
  const result = await client.callTool({ name: 'updateRecord', arguments: { id: 'r1', name: 'new' } });
  t.notOk(result.isError, JSON.stringify(result));
  t.equal(up.requests.at(-1)?.url, '/records/r1');
  t.same(JSON.parse(up.requests.at(-1)!.body.toString()), { name: 'new' });
  const listed = await client.callTool({ name: search.name, arguments: { tags: ['a', 'b'], sort: 'desc', owner: 'me' } });
  t.notOk(listed.isError, JSON.stringify(listed));
  t.equal(up.requests.at(-1)?.url, '/search?tags=a&tags=b&sort=desc&owner=me');
});
