// Response shaping end to end: a real upstream returns a large list, the real SDK client gets a
// result within the budget that still matches the outputSchema, and a `fields` projection.
import t from 'tap';
import { callChecks } from '../helpers/calls.js';
import { connectClient, spec30, startTestSidecar } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';

const upstream = await startUpstream((req, res) => {
  const items = Array.from({ length: 2000 }, (_, i) => ({ id: i, name: `issue ${i}`, body: 'lorem ipsum '.repeat(8), labels: ['bug'] }));
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ total_count: 2000, items }));
});
t.teardown(() => upstream.close());
const list = {
  type: 'object',
  properties: {
    total_count: { type: 'integer' },
    items: { type: 'array', items: { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' }, body: { type: 'string' }, labels: { type: 'array', items: { type: 'string' } } } } },
  },
};
const op = (operationId: string, schema: object = list) => ({
  get: {
    operationId,
    parameters: [
      { name: 'page', in: 'query', schema: { type: 'integer' } },
      { name: 'per_page', in: 'query', schema: { type: 'integer' } },
    ],
    responses: { '200': { description: 'ok', content: { 'application/json': { schema } } } },
  },
});
const sidecar = await startTestSidecar(t, {
  config: {
    reload: { watch: false },
    servers: [{ path: '/mcp', spec: './spec.json', upstream: { baseUrl: upstream.url }, tools: { maxResultTokens: 2000, projection: true, overrides: { listAll: { maxResultTokens: 0, projection: false } } } }],
  },
  files: { 'spec.json': spec30({ '/issues': op('listIssues'), '/all': op('listAll'), '/min': op('listAtLeast', { ...list, properties: { ...list.properties, items: { ...list.properties.items, minItems: 1000 } } }) }) },
});
const client = await connectClient(t, `${sidecar.url}/mcp`);
const calls = callChecks(client, upstream);
let keptWhole = 0;

t.test('a list over maxResultTokens is cut to its first items, matches the outputSchema and names the paging parameters', async (t) => {
  const result: any = await client.callTool({ name: 'listIssues', arguments: {} });
  t.notOk(result.isError);
  const kept = result.structuredContent.items.length;
  t.ok(kept > 0 && kept < 2000, `${kept} of 2000 items kept`);
  keptWhole = kept;
  t.ok(result.content[0].text.length <= 8000, `${result.content[0].text.length} characters for 2,000 tokens`);
  t.same(JSON.parse(result.content[0].text), result.structuredContent);
  t.match(result.content[1].text, new RegExp(`left out ${2000 - kept} of 2000 items at items\\. Fetch the rest with this tool's page, per_page arguments`));
});

t.test('fields returns only what was asked; the argument is the sidecar’s, never sent upstream', async (t) => {
  const [tool] = (await client.listTools()).tools.filter((x) => x.name === 'listIssues');
  t.match(tool!.description, /Pass fields \(e\.g\. \["items\[\]\.id"/);
  t.same((tool!.inputSchema.properties as any).fields.type, 'array');
  upstream.requests.length = 0;
  const result: any = await client.callTool({ name: 'listIssues', arguments: { fields: ['total_count', 'items[].id'], per_page: 5 } });
  t.equal(upstream.requests[0]!.url, '/issues?per_page=5');
  t.same(Object.keys(result.structuredContent.items[0]), ['id']);
  t.equal(result.structuredContent.total_count, 2000);
  const kept = result.structuredContent.items.length;
  t.ok(kept > keptWhole * 5 && kept < 2000, `projected, then cut to the budget: ${kept} ids against ${keptWhole} whole items`);
  await calls.refused(t, 'listIssues', { fields: 'id' }, /fields: must be array/);
});

t.test('a per-tool override turns the budget and projection off', async (t) => {
  const result: any = await client.callTool({ name: 'listAll', arguments: {} });
  t.equal(result.structuredContent.items.length, 2000);
  t.equal(result.content.length, 1);
  const [tool] = (await client.listTools()).tools.filter((x) => x.name === 'listAll');
  t.notOk('fields' in (tool!.inputSchema.properties as object));
});

t.test('a cut that would break the outputSchema (minItems) is an isError result with the start of the text, not invalid structuredContent', async (t) => {
  const result: any = await client.callTool({ name: 'listAtLeast', arguments: {} });
  t.equal(result.isError, true);
  t.equal(result.structuredContent, undefined);
  t.match(result.content[1].text, /left out \d+ of 2000 items at items/);
});
