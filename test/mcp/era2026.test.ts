import t from 'tap';
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2, type VersionNegotiationMode } from '@modelcontextprotocol/client';
import { connectClient, spec30, startTestSidecar } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';

// MCP 2026-07-28 beside the 2025 revisions on one stateless endpoint: the real SDK v2 client in each of
// its negotiation modes and the v1 client against the same URL, then raw HTTP for every status and code.
const upstream = await startUpstream((req, res) => {
  const u = new URL(req.url, 'http://x');
  if (u.pathname.startsWith('/fail')) {
    res.writeHead(503, { 'content-type': 'application/json' });
    res.end('{"message":"down for maintenance"}');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ greeting: `hello ${u.searchParams.get('name')}` }));
});
t.teardown(() => upstream.close());
const greeting = { type: 'object', properties: { greeting: { type: 'string' } } };
const sidecar = await startTestSidecar(t, {
  config: {
    reload: { watch: false },
    servers: [{ path: '/mcp', spec: './hello.yaml', instructions: 'Say hello.', upstream: { baseUrl: upstream.url }, tools: { cacheTtl: '5m' } }],
  },
  files: {
    'hello.yaml': spec30({
      '/hello': {
        get: {
          operationId: 'hello',
          parameters: [{ name: 'name', in: 'query', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'ok', content: { 'application/json': { schema: greeting } } } },
        },
      },
      '/fail': { get: { operationId: 'fail', responses: { '200': { description: 'ok' } } } },
    }),
  },
});
const url = `${sidecar.url}/mcp`;
const V = '2026-07-28';

const modes: [string, VersionNegotiationMode][] = [
  ['pinned to 2026-07-28', { pin: V }],
  ['auto', 'auto'],
  ['legacy', 'legacy'],
];
for (const [label, mode] of modes) {
  t.test(`the SDK v2 client ${label}: lists tools, calls one, and sees errors`, async (t) => {
    const sent: { version: string | null; method: string | null; body: string }[] = [];
    const transport = new TransportV2(new URL(url), {
      fetch: (input, init) => {
        const h = new Headers(init?.headers);
        sent.push({ version: h.get('mcp-protocol-version'), method: h.get('mcp-method'), body: typeof init?.body === 'string' ? init.body : '' });
        return fetch(input, init);
      },
    });
    const client = new ClientV2({ name: 'era-test', version: '1.0.0' }, { versionNegotiation: { mode } });
    t.teardown(() => client.close());
    await client.connect(transport);
    const { tools } = await client.listTools();
    t.same(tools.map((x) => x.name), ['hello', 'fail']);
    const ok = await client.callTool({ name: 'hello', arguments: { name: label } });
    t.same(ok.structuredContent, { greeting: `hello ${label}` });
    const failed = await client.callTool({ name: 'fail', arguments: {} });
    t.equal(failed.isError, true, 'an upstream 503 is an isError result');
    t.match(JSON.stringify(failed.content), /503/);
    await t.rejects(client.callTool({ name: 'hello', arguments: { name: 5 } }), /name/, 'invalid arguments are a protocol error naming the field');
    const posts = sent.filter((s) => s.body !== '');
    if (label === 'legacy') {
      t.ok(posts[0]!.body.includes('"method":"initialize"'), 'legacy opens with initialize');
      t.notOk(posts.some((s) => s.version === V), 'and never speaks 2026-07-28');
    } else {
      t.notOk(posts.some((s) => s.body.includes('"method":"initialize"')), 'no initialize');
      t.ok(posts.every((s) => s.version === V && s.body.includes('"io.modelcontextprotocol/protocolVersion":"2026-07-28"')), 'every request is 2026-07-28');
      t.equal(posts[0]!.method, 'server/discover', 'the client probes with server/discover first');
    }
  });
}

t.test('the SDK v1 client still negotiates a 2025 revision with initialize on the same endpoint', async (t) => {
  const client = await connectClient(t, url);
  t.match(client.getServerVersion(), { name: 'mcp-sidecar/default' });
  const { tools } = await client.listTools();
  t.same(tools.map((x) => x.name), ['hello', 'fail']);
  t.same((await client.callTool({ name: 'hello', arguments: { name: 'v1' } })).structuredContent, { greeting: 'hello v1' });
});

// Raw HTTP.
interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}
const meta = (version: unknown = V, extra: object = {}) => ({ 'io.modelcontextprotocol/protocolVersion': version, 'io.modelcontextprotocol/clientCapabilities': {}, 'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '0' }, ...extra });
/** A 2026 request with the headers a conforming client sends; `headers` overrides (null drops one). */
async function modern(id: number | string, method: string, params: Record<string, unknown> = {}, headers: Record<string, string | null> = {}): Promise<Answer> {
  const base: Record<string, string | null> = { 'mcp-protocol-version': V, 'mcp-method': method };
  if (typeof params.name === 'string') base['mcp-name'] = params.name;
  return post({ jsonrpc: '2.0', id, method, params: { _meta: meta(), ...params } }, { ...base, ...headers });
}
async function post(body: unknown, headers: Record<string, string | null> = {}): Promise<Answer> {
  const h: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  for (const [k, v] of Object.entries(headers)) {
    if (v === null) delete h[k];
    else h[k] = v;
  }
  const res = await fetch(url, { method: 'POST', headers: h, body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text ? (JSON.parse(text) as unknown) : undefined };
}
const serverInfo = { name: 'mcp-sidecar/default', title: 'Test API', version: '1.0.0' };

t.test('server/discover names the versions, capabilities, instructions and cache hints', async (t) => {
  const r = await modern('d-1', 'server/discover');
  t.equal(r.status, 200);
  t.equal(r.headers.get('mcp-session-id'), null, 'no session');
  t.same(r.json, {
    jsonrpc: '2.0',
    id: 'd-1',
    result: {
      resultType: 'complete',
      _meta: { 'io.modelcontextprotocol/serverInfo': serverInfo },
      supportedVersions: [V],
      capabilities: { tools: { listChanged: true } },
      instructions: 'Say hello.',
      ttlMs: 300_000,
      cacheScope: 'public',
    },
  });
});

t.test('tools/list carries resultType, serverInfo, the configured ttlMs and a public cacheScope, in the same order every time', async (t) => {
  const a = await modern(2, 'tools/list');
  const b = await modern(2, 'tools/list');
  t.equal(a.status, 200);
  t.match(a.json.result, { resultType: 'complete', _meta: { 'io.modelcontextprotocol/serverInfo': serverInfo }, ttlMs: 300_000, cacheScope: 'public' });
  t.equal(a.text, b.text, 'byte for byte the same answer');
  const legacy = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
  t.same(a.json.result.tools, legacy.json.result.tools, 'the same tools as the 2025 answer');
  t.same(Object.keys(legacy.json.result), ['tools'], 'and the 2025 answer has no 2026 fields');
});

t.test('tools/call answers with resultType and serverInfo around the usual result', async (t) => {
  const r = await modern(3, 'tools/call', { name: 'hello', arguments: { name: 'raw' } });
  t.equal(r.status, 200);
  t.equal(r.json.id, 3);
  t.same(r.json.result.structuredContent, { greeting: 'hello raw' });
  t.equal(r.json.result.resultType, 'complete');
  t.same(r.json.result._meta, { 'io.modelcontextprotocol/serverInfo': serverInfo });
});

t.test('an unsupported _meta version is 400 -32022 listing the supported ones, with the request id', async (t) => {
  const r = await post({ jsonrpc: '2.0', id: 'u', method: 'tools/list', params: { _meta: meta('1900-01-01') } }, { 'mcp-protocol-version': '1900-01-01', 'mcp-method': 'tools/list' });
  t.equal(r.status, 400);
  t.same(r.json, { jsonrpc: '2.0', id: 'u', error: { code: -32022, message: 'Unsupported protocol version', data: { supported: [V], requested: '1900-01-01' } } });
});

t.test('header/body disagreements and missing standard headers are 400 -32020 with the request id', async (t) => {
  const cases: [string, Record<string, unknown>, Record<string, string | null>, RegExp][] = [
    ['tools/list', {}, { 'mcp-protocol-version': '2025-11-25' }, /MCP-Protocol-Version header value '2025-11-25' does not match body value '2026-07-28'/],
    ['tools/list', {}, { 'mcp-protocol-version': null }, /MCP-Protocol-Version header is missing/],
    ['tools/list', {}, { 'mcp-method': null }, /Mcp-Method header is missing/],
    ['tools/list', {}, { 'mcp-method': 'tools/call' }, /Mcp-Method header value 'tools\/call' does not match body value 'tools\/list'/],
    ['tools/call', { name: 'hello', arguments: { name: 'x' } }, { 'mcp-name': null }, /Mcp-Name header is missing/],
    ['tools/call', { name: 'hello', arguments: { name: 'x' } }, { 'mcp-name': 'fail' }, /Mcp-Name header value 'fail' does not match body value 'hello'/],
    ['tools/call', { name: 'hello', arguments: { name: 'x' } }, { 'mcp-name': `=?base64?${Buffer.from('fail').toString('base64')}?=` }, /Mcp-Name header value 'fail' does not match/],
    ['tools/call', { name: 'hello', arguments: { name: 'x' } }, { 'mcp-name': '=?base64?not base64!?=' }, /not a valid =\?base64\?/],
  ];
  const before = upstream.requests.length;
  for (const [method, params, headers, message] of cases) {
    const r = await modern(7, method, params, headers);
    t.equal(r.status, 400, JSON.stringify(headers));
    t.equal(r.json.id, 7);
    t.equal(r.json.error.code, -32020);
    t.match(r.json.error.message, message);
  }
  t.equal(upstream.requests.length, before, 'nothing reached the upstream');
});

t.test('an Mcp-Name in the base64 sentinel form is decoded before it is compared', async (t) => {
  const r = await modern(8, 'tools/call', { name: 'hello', arguments: { name: 'b64' } }, { 'mcp-name': `=?base64?${Buffer.from('hello').toString('base64')}?=` });
  t.equal(r.status, 200);
  t.same(r.json.result.structuredContent, { greeting: 'hello b64' });
});

t.test('an unknown method, and the methods 2026 removed, are 404 -32601 with the request id', async (t) => {
  for (const method of ['resources/list', 'ping', 'logging/setLevel', 'initialize']) {
    const r = await modern(`m-${method}`, method, method === 'logging/setLevel' ? { level: 'info' } : {});
    t.equal(r.status, 404, method);
    t.same(r.json, { jsonrpc: '2.0', id: `m-${method}`, error: { code: -32601, message: `Method not found: ${method}` } });
  }
});

t.test('a request missing required _meta is 400 -32602 with its id', async (t) => {
  const noCaps = await post({ jsonrpc: '2.0', id: 9, method: 'tools/list', params: { _meta: { 'io.modelcontextprotocol/protocolVersion': V } } }, { 'mcp-protocol-version': V, 'mcp-method': 'tools/list' });
  t.equal(noCaps.status, 400);
  t.equal(noCaps.json.id, 9);
  t.equal(noCaps.json.error.code, -32602);
  t.match(noCaps.json.error.message, /io\.modelcontextprotocol\/clientCapabilities/);
  const noMeta = await post({ jsonrpc: '2.0', id: 10, method: 'tools/list' }, { 'mcp-protocol-version': V, 'mcp-method': 'tools/list' });
  t.equal(noMeta.status, 400);
  t.equal(noMeta.json.id, 10);
  t.equal(noMeta.json.error.code, -32602);
  t.match(noMeta.json.error.message, /io\.modelcontextprotocol\/protocolVersion/);
  const badVersion = await post({ jsonrpc: '2.0', id: 11, method: 'tools/list', params: { _meta: meta(7) } }, { 'mcp-protocol-version': V, 'mcp-method': 'tools/list' });
  t.equal(badVersion.status, 400);
  t.equal(badVersion.json.error.code, -32602);
});

t.test('tools/call errors keep their codes under 2026: invalid arguments -32602, unknown tool -32602', async (t) => {
  const bad = await modern(12, 'tools/call', { name: 'hello', arguments: { name: 5 } });
  t.equal(bad.json.error.code, -32602);
  t.match(bad.json.error.message, /Invalid arguments for tool hello: .*name/);
  t.equal(bad.json.id, 12);
  const unknown = await modern(13, 'tools/call', { name: 'nope', arguments: {} });
  t.same(unknown.json.error, { code: -32602, message: 'Unknown tool: nope' });
});

t.test('2025 requests are answered as before: ping, initialize, no 2026 fields', async (t) => {
  const ping = await post({ jsonrpc: '2.0', id: 1, method: 'ping' });
  t.same(ping.json, { jsonrpc: '2.0', id: 1, result: {} });
  const init = await post({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } });
  t.equal(init.json.result.protocolVersion, '2025-11-25');
  t.notOk('resultType' in init.json.result);
  const old = await post({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { 'mcp-protocol-version': '2023-01-01' });
  t.equal(old.status, 400, 'an unknown version header without _meta is still the 2025 transport error');
  t.equal(old.json.error.code, -32000);
});

t.test('initialize sent with a 2026 MCP-Protocol-Version header is 400 -32020', async (t) => {
  const r = await post({ jsonrpc: '2.0', id: 4, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } }, { 'mcp-protocol-version': V });
  t.equal(r.status, 400);
  t.equal(r.json.id, 4);
  t.equal(r.json.error.code, -32020);
});

t.test('a batch holding a 2026 request is 400 -32600; a 2026 notification is accepted with 202', async (t) => {
  const batch = await post([{ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: meta() } }]);
  t.equal(batch.status, 400);
  t.equal(batch.json.error.code, -32600);
  const note = await post({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1, _meta: meta() } }, { 'mcp-protocol-version': V, 'mcp-method': 'notifications/cancelled' });
  t.equal(note.status, 202);
  t.equal(note.text, '');
});

t.test('a 2026 tools/list is served in the schema profile the caller asks for, as a 2025 one is', async (t) => {
  const body = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: meta() } };
  const res = await fetch(`${url}?profile=portable`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': V, 'mcp-method': 'tools/list' },
    body: JSON.stringify(body),
  });
  const portable = (await res.json()) as { result: { resultType: string; tools: { inputSchema: Record<string, unknown> }[] } };
  t.equal(portable.result.resultType, 'complete');
  t.equal(portable.result.tools[0]!.inputSchema.$schema, undefined, 'portable: no $schema');
  const full = await modern(1, 'tools/list');
  t.equal(full.json.result.tools[0].inputSchema.$schema, 'https://json-schema.org/draft/2020-12/schema', 'without ?profile=: full');
});
