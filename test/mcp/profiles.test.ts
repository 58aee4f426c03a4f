// Schema profiles over the wire: which profile a request is served (server setting, ?profile=, the
// client's identity), and that arguments written against it reach the upstream as the full schema means.
import t from 'tap';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { callChecks } from '../helpers/calls.js';
import { connectClient, spec30, startTestSidecar } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';

const upstream = await startUpstream();
t.teardown(() => upstream.close());
const spec = spec30({
  '/nodes/{node-id}': {
    post: {
      operationId: 'updateNode',
      parameters: [
        { name: 'node-id', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z]+$' } },
        { name: 'page.size', in: 'query', schema: { type: 'integer', minimum: 1 } },
      ],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              properties: {
                title: { type: 'string' },
                due: { type: 'string', nullable: true },
                labels: { type: 'object', additionalProperties: { type: 'string' } },
              },
            },
          },
        },
      },
      responses: { '200': { description: 'ok' } },
    },
  },
});
const server = (path: string, extra: object = {}) => ({ name: path.slice(1).replace(/\//g, '-'), path, spec: './spec.json', upstream: { baseUrl: upstream.url }, ...extra });
const sidecar = await startTestSidecar(t, {
  config: {
    reload: { watch: false },
    servers: [
      server('/mcp'),
      server('/gemini', { tools: { schemaProfile: 'gemini' } }),
      server('/auto', { tools: { schemaProfile: 'auto', clientProfiles: { 'my-agent*': 'openai-strict' } } }),
      server('/session', { sessions: 'stateful', tools: { schemaProfile: 'auto' } }),
    ],
  },
  files: { 'spec.json': spec },
});

async function rpc(path: string, body: object, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(`${sidecar.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}
const listTools = async (path: string, params: object = {}, headers: Record<string, string> = {}) => (await rpc(path, { jsonrpc: '2.0', id: 1, method: 'tools/list', params }, headers)).json.result.tools[0];

t.test('a server set to gemini lists Gemini-shaped tools; the arguments reach the upstream as the full schema means', async (t) => {
  const client = await connectClient(t, `${sidecar.url}/gemini`);
  const [tool] = (await client.listTools()).tools;
  const text = JSON.stringify(tool!.inputSchema);
  t.notMatch(text, /\$schema|additionalProperties|"nullable":false/);
  t.same(Object.keys(tool!.inputSchema.properties!).sort(), ['due', 'labels', 'node_id', 'page_size', 'title']);
  const calls = callChecks(client, upstream);
  const sent = await calls.sent(t, 'updateNode', { node_id: 'abc', page_size: 5, labels: '{"env":"prod"}', due: null });
  t.equal(sent.url, '/nodes/abc?page.size=5', 'renamed parameters are sent under their own names');
  t.same(JSON.parse(sent.body.toString()), { labels: { env: 'prod' }, due: null }, 'JSON text became the object; a nullable null stays');
  await calls.refused(t, 'updateNode', { node_id: 'ABC' }, /node-id: must match pattern/);
  await calls.refused(t, 'updateNode', { node_id: 'abc', labels: '{"env":1}' }, /labels\/env: must be string/);
});

t.test('?profile=openai-strict on a full server: strict tools, and a null for an optional argument is not sent', async (t) => {
  const tool = await listTools('/mcp?profile=openai-strict');
  t.same(tool.inputSchema.required, ['node-id', 'page.size', 'title', 'due', 'labels']);
  const client = await connectClient(t, `${sidecar.url}/mcp?profile=openai-strict`);
  const calls = callChecks(client, upstream);
  const sent = await calls.sent(t, 'updateNode', { 'node-id': 'abc', 'page.size': null, title: 'x', due: null, labels: null });
  t.equal(sent.url, '/nodes/abc');
  t.same(JSON.parse(sent.body.toString()), { title: 'x' }, 'null: not sent, even where the full schema allows null');
  // The same arguments on the full endpoint: null is a value, and page.size may not be null.
  const full = callChecks(await connectClient(t, `${sidecar.url}/mcp`), upstream);
  await full.refused(t, 'updateNode', { 'node-id': 'abc', 'page.size': null }, /page\.size: must be integer/);
  t.equal(tool.inputSchema.$schema, undefined);
  t.equal((await listTools('/mcp')).inputSchema.$schema, 'https://json-schema.org/draft/2020-12/schema', 'without ?profile=: full');
});

t.test('an unknown ?profile= is a 400 that names the profiles', async (t) => {
  const r = await rpc('/mcp?profile=claude', { jsonrpc: '2.0', id: 1, method: 'tools/list' });
  t.equal(r.status, 400);
  t.match(r.json.error.message, /unknown schema profile "claude".*full, portable, gemini, openai-strict/);
});

t.test('auto picks by the client identity: 2026 _meta clientInfo, User-Agent, configured globs, else full', async (t) => {
  const meta = (name: string) => ({ _meta: { 'io.modelcontextprotocol/clientInfo': { name, version: '1' } } });
  t.ok('node_id' in (await listTools('/auto', meta('gemini-cli-mcp-client'))).inputSchema.properties, 'gemini-cli → gemini');
  t.same((await listTools('/auto', meta('my-agent-2'))).inputSchema.required.length, 5, 'a configured glob → openai-strict');
  t.match((await listTools('/auto', meta('claude-code'))).inputSchema.$schema, /2020-12/, 'claude-code → full');
  t.match((await listTools('/auto', meta('someone-else'))).inputSchema.$schema, /2020-12/, 'unknown → full');
  t.ok('node_id' in (await listTools('/auto', {}, { 'user-agent': 'gemini-cli-mcp-client/0.9 (linux)' })).inputSchema.properties, 'by User-Agent when no clientInfo');
  t.match((await listTools('/auto', {}, { 'user-agent': 'curl/8' })).inputSchema.$schema, /2020-12/);
});

t.test('a stateful session remembers the clientInfo of its initialize', async (t) => {
  const client = new Client({ name: 'gemini-cli-mcp-client', version: '0.1.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${sidecar.url}/session`)));
  t.teardown(() => client.close());
  const [tool] = (await client.listTools()).tools;
  t.ok('node_id' in tool!.inputSchema.properties!, 'gemini names');
  const sent = await callChecks(client, upstream).sent(t, 'updateNode', { node_id: 'abc', title: 't' });
  t.equal(sent.url, '/nodes/abc');
  const other = await connectClient(t, `${sidecar.url}/session`);
  t.ok('node-id' in (await other.listTools()).tools[0]!.inputSchema.properties!, 'another client: full');
});

t.test('each profile’s tools/list bytes are made once per snapshot', async (t) => {
  const rt = sidecar.holder.current.servers.get('/auto')!;
  const first = rt.profiles.view('gemini').listBytes;
  await listTools('/auto', { _meta: { 'io.modelcontextprotocol/clientInfo': { name: 'gemini-cli-mcp-client' } } });
  t.equal(rt.profiles.view('gemini').listBytes, first, 'the same buffer, not a new one');
  t.equal(rt.profiles.view('full').listBytes, rt.toolsListBytes, 'full is the snapshot’s own list');
});
