import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { AuditLog } from '../../src/auth/index.js';
import { startAuthServer } from '../helpers/oidc.js';
import { connectClient, firstText, spec30, startTestSidecar } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';
import { until } from '../helpers/wait.js';

// Search mode end to end: the real SDK client over Streamable HTTP against a real upstream and a
// real authorization server. The meta-tools find, describe and call operations; scopes hide what a
// caller may not call; call_tool behaves exactly as a direct call; a reload rebuilds the index.

const as = await startAuthServer({ scopes: ['tools:read', 'pets:write', 'pets:admin'] });
t.teardown(() => as.close());
const up = await startUpstream();
t.teardown(() => up.close());
const dir = mkdtempSync(path.join(tmpdir(), 'mcp-sidecar-search-audit-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const auditFile = path.join(dir, 'audit.jsonl');
const audit = new AuditLog({ enabled: true, file: auditFile });

const ok = { '200': { description: 'ok' } };
const id = [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }];
const petBody = { required: true, content: { 'application/json': { schema: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, age: { type: 'integer' } } } } } };
const paths = {
  '/pets': {
    get: { operationId: 'listPets', summary: 'List pets', tags: ['pets'], responses: ok },
    post: { operationId: 'createPet', summary: 'Create a pet', tags: ['pets'], requestBody: petBody, security: [{ oauth: ['pets:write'] }], responses: ok },
  },
  '/pets/{id}': {
    get: { operationId: 'getPet', summary: 'Get a pet', tags: ['pets'], parameters: id, responses: ok },
    delete: { operationId: 'deletePet', summary: 'Delete a pet', tags: ['pets'], parameters: id, responses: ok },
  },
  '/orders': { get: { operationId: 'listOrders', summary: 'List store orders', tags: ['store'], responses: ok } },
  // An operation whose tool name is the meta-tool's: the meta-tool must move aside.
  '/search': { get: { operationId: 'search_tools', summary: 'Search the store catalogue', tags: ['store'], responses: ok } },
};
const securitySchemes = { oauth: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: as.tokenEndpoint, scopes: { 'pets:write': 'change pets' } } } } };
const api = (extra: object = {}) => spec30({ ...paths, ...extra }, { tags: [{ name: 'store', description: 'Shop orders and checkout' }], components: { securitySchemes } });
const auth = { provider: 'oidc', issuer: as.issuer, requiredScopes: ['tools:read'], toolScopes: { deletePet: ['pets:admin'] } };
const config = {
  reload: { watch: false },
  servers: [
    { name: 'open', path: '/mcp', spec: './api.json', upstream: { baseUrl: up.url }, tools: { mode: 'search', pinned: ['listPets'] } },
    { name: 'flat', path: '/mcp/flat', spec: './api.json', upstream: { baseUrl: up.url }, tools: { mode: 'flat' } },
    { name: 'auto', path: '/mcp/auto', spec: './api.json', upstream: { baseUrl: up.url } },
    { name: 'tight', path: '/mcp/tight', spec: './api.json', upstream: { baseUrl: up.url }, tools: { budget: 50 } },
    { name: 'scoped', path: '/mcp/scoped', spec: './api.json', upstream: { baseUrl: up.url }, tools: { mode: 'search' }, auth },
    { name: 'session', path: '/mcp/session', sessions: 'stateful', spec: './api.json', upstream: { baseUrl: up.url }, tools: { mode: 'search' }, auth },
  ],
};
const sidecar = await startTestSidecar(t, { audit, config, files: { 'api.json': api() } });
const META = ['api_search_tools', 'describe_tools', 'call_tool'];

const names = async (url: string, headers?: Record<string, string>) => (await (await connectClient(t, url, { headers })).listTools()).tools.map((x) => x.name).sort();

t.test('a server in search mode lists the meta-tools and the pinned tools, the meta-tool named aside of an operation', async (t) => {
  t.same(await names(`${sidecar.url}/mcp`), [...META, 'listPets'].sort());
  t.same(await names(`${sidecar.url}/mcp/flat`), ['createPet', 'deletePet', 'getPet', 'listOrders', 'listPets', 'search_tools'], 'flat lists every operation');
  t.same(await names(`${sidecar.url}/mcp/auto`), ['createPet', 'deletePet', 'getPet', 'listOrders', 'listPets', 'search_tools'], 'auto under budget is flat');
  t.same(await names(`${sidecar.url}/mcp/tight`), META.sort(), 'auto over tools.budget is search');
  const list = await (await connectClient(t, `${sidecar.url}/mcp`)).listTools();
  const search = list.tools.find((x) => x.name === 'api_search_tools')!;
  t.match(search.description, /Call this first/);
  t.match(search.description, /ranked best match first/);
  t.same(search.inputSchema.required, ['query']);
});

t.test('search_tools ranks the operation a task describes first, in compact lines without schemas', async (t) => {
  const client = await connectClient(t, `${sidecar.url}/mcp`);
  const text = firstText(await client.callTool({ name: 'api_search_tools', arguments: { query: 'remove a pet' } }));
  const lines = text.split('\n');
  t.match(lines[1], /^1\. deletePet: Delete a pet \[DELETE \/pets\/\{id\}\] \(needs: id\)$/, text);
  t.notMatch(text, /inputSchema|"type"/, 'no schemas in hits');
  const orders = firstText(await client.callTool({ name: 'api_search_tools', arguments: { query: 'checkout orders', limit: 1 } }));
  t.match(orders, /^1 tools for .*\n1\. listOrders:/, 'the tag description counts; limit is honoured');
  const bad = await client.callTool({ name: 'api_search_tools', arguments: { query: 'pets', limit: 0 } }).catch((e: Error & { code?: number }) => e);
  t.match(bad, { code: -32602, message: /limit/ }, 'a bad limit is -32602 naming the field');
});

t.test('describe_tools gives full schemas; unknown names are said', async (t) => {
  const client = await connectClient(t, `${sidecar.url}/mcp`);
  const res = await client.callTool({ name: 'describe_tools', arguments: { names: ['createPet', 'nope'] } });
  const content = res.content as { text: string }[];
  const described = JSON.parse(content[0]!.text) as { tools: { name: string; inputSchema: { required: string[]; properties: Record<string, unknown> } }[] };
  t.equal(described.tools[0]!.name, 'createPet');
  t.ok(described.tools[0]!.inputSchema.properties.name, 'the body fields and their schema');
  t.same(described.tools[0]!.inputSchema.required, ['name']);
  t.match(content[1]!.text, /No tool named nope/);
});

t.test('call_tool takes the path of a direct call: same upstream request, result, errors, metrics and audit', async (t) => {
  const client = await connectClient(t, `${sidecar.url}/mcp`);
  const flat = await connectClient(t, `${sidecar.url}/mcp/flat`);
  up.requests.length = 0;
  const viaMeta = await client.callTool({ name: 'call_tool', arguments: { name: 'getPet', arguments: { id: 'rex' } } });
  const direct = await flat.callTool({ name: 'getPet', arguments: { id: 'rex' } });
  t.same(up.requests.map((r) => `${r.method} ${r.url}`), ['GET /pets/rex', 'GET /pets/rex']);
  t.same(viaMeta, direct, 'the same tool result');

  const errorOf = (p: Promise<unknown>) => p.then(() => undefined, (e: Error & { code?: number; data?: unknown }) => ({ code: e.code, message: e.message, data: e.data }));
  const cases: [string, Record<string, unknown>][] = [
    ['createPet', { age: 'old' }],
    ['getPet', {}],
    ['nosuchtool', {}],
  ];
  for (const [name, args] of cases) {
    const a = await errorOf(client.callTool({ name: 'call_tool', arguments: { name, arguments: args } }));
    const b = await errorOf(flat.callTool({ name, arguments: args }));
    t.ok(a, `${name}: an error`);
    t.same(a, b, `${name}: call_tool's error is the direct call's`);
  }
  t.match((await errorOf(client.callTool({ name: 'call_tool', arguments: { name: 'createPet', arguments: { age: 'old' } } })))!, { code: -32602, message: /name|age/ });

  const metrics = await (await fetch(`${sidecar.url}/metrics`)).text();
  t.match(metrics, /^mcp_sidecar_tool_calls_total\{server="open",tool="getPet",outcome="OK"\} 1$/m, 'counted under the underlying tool');
  t.notMatch(metrics, /tool="call_tool"/);
  audit.flush();
  const lines = await until('audit line', () => {
    const text = readFileSync(auditFile, 'utf8');
    return text.includes('"server":"open"') ? text : undefined;
  });
  t.match(lines, /"event":"tool_call","server":"open","tool":"getPet"/);
});

t.test('scopes before disclosure: search and describe hide what a token may not call; call_tool gets the step-up 403', async (t) => {
  const resource = `${sidecar.url}/mcp/scoped`;
  const reader = await as.mintToken({ resource, scope: 'tools:read' });
  const admin = await as.mintToken({ resource, scope: 'tools:read pets:write pets:admin' });
  const rpc = async (token: string, params: object) => {
    const res = await request(resource, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params }),
    });
    const header = res.headers['www-authenticate'];
    return { status: res.statusCode, challenge: typeof header === 'string' ? header : '', body: (await res.body.json()) as Record<string, any> };
  };
  const search = async (token: string) => (await rpc(token, { name: 'api_search_tools', arguments: { query: 'pet', limit: 20 } })).body.result.content[0].text as string;
  const readerHits = await search(reader);
  t.notMatch(readerHits, /deletePet|createPet/, 'a reader does not see what needs pets:admin or pets:write');
  t.match(readerHits, /getPet/);
  t.match(await search(admin), /deletePet/, 'an admin does');
  const described = await rpc(reader, { name: 'describe_tools', arguments: { names: ['deletePet'] } });
  t.equal(described.body.result.isError, true);
  t.notMatch(JSON.stringify(described.body), /inputSchema/, 'no schema for a hidden tool');

  const denied = await rpc(reader, { name: 'call_tool', arguments: { name: 'deletePet', arguments: { id: 'rex' } } });
  t.equal(denied.status, 403);
  t.match(denied.challenge, /error="insufficient_scope"/);
  t.match(denied.challenge, /scope="[^"]*pets:admin/);
  const directDenied = await rpc(reader, { name: 'deletePet', arguments: { id: 'rex' } });
  t.equal(directDenied.status, 403, 'the same as calling it directly');
  t.equal(directDenied.challenge, denied.challenge);
  up.requests.length = 0;
  const allowed = await rpc(admin, { name: 'call_tool', arguments: { name: 'deletePet', arguments: { id: 'rex' } } });
  t.equal(allowed.status, 200);
  t.same(up.requests.map((r) => `${r.method} ${r.url}`), ['DELETE /pets/rex']);
});

t.test('a stateful session in search mode filters by scope too', async (t) => {
  const token = await as.mintToken({ resource: `${sidecar.url}/mcp/session`, scope: 'tools:read' });
  const client = await connectClient(t, `${sidecar.url}/mcp/session`, { headers: { authorization: `Bearer ${token}` } });
  t.same((await client.listTools()).tools.map((x) => x.name).sort(), META.sort());
  const text = firstText(await client.callTool({ name: 'api_search_tools', arguments: { query: 'delete a pet' } }));
  t.notMatch(text, /deletePet/);
  const err = await client.callTool({ name: 'call_tool', arguments: { name: 'deletePet', arguments: { id: 'x' } } }).catch((e: Error) => e);
  t.ok(err instanceof Error, 'refused');
});

t.test('a reload rebuilds the index: a new operation is found, a removed one is not', async (t) => {
  const client = await connectClient(t, `${sidecar.url}/mcp`);
  const query = { name: 'api_search_tools', arguments: { query: 'vaccinate a pet' } };
  t.notMatch(firstText(await client.callTool(query)), /vaccinatePet/);
  writeFileSync(path.join(sidecar.dir, 'api.json'), JSON.stringify(api({ '/pets/{id}/vaccinations': { post: { operationId: 'vaccinatePet', summary: 'Record a vaccination', parameters: id, responses: ok } } })));
  await sidecar.reload({ force: true, reason: 'test' });
  t.match(firstText(await client.callTool(query)), /1\. vaccinatePet: Record a vaccination/);
  writeFileSync(path.join(sidecar.dir, 'api.json'), JSON.stringify(api()));
  await sidecar.reload({ force: true, reason: 'test' });
  t.notMatch(firstText(await client.callTool(query)), /vaccinatePet/);
});
