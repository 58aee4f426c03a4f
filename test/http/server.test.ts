import t from 'tap';
import { request as httpRequest } from 'node:http';
import { connectClient, spec30, startTestSidecar } from '../helpers/sidecar.js';
import { startUpstream, type UpstreamHandler } from '../helpers/upstream.js';

// Routes, limits, health and readiness of the HTTP surface, with two MCP servers in one config.
const answer =
  (who: string): UpstreamHandler =>
  (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ from: who, url: req.url }));
  };
const upA = await startUpstream(answer('a'));
const upB = await startUpstream(answer('b'));
t.teardown(() => Promise.all([upA.close(), upB.close()]));

const op = (operationId: string, path: string) => ({
  [path]: { get: { operationId, responses: { '200': { description: 'ok', content: { 'application/json': { schema: { type: 'object' } } } } } } },
});
const config = {
  reload: { watch: false, debounce: '10ms' },
  limits: { maxRequestBody: '2kb' },
  servers: [
    { name: 'a', path: '/mcp/a', spec: './a.yaml', upstream: { baseUrl: upA.url } },
    { name: 'b', path: '/mcp/b', spec: './b.yaml', upstream: { baseUrl: upB.url } },
  ],
};
const sidecar = await startTestSidecar(t, {
  config,
  files: { 'a.yaml': spec30({ ...op('ping_a', '/ping'), ...op('only_a', '/a') }), 'b.yaml': spec30(op('ping_b', '/ping')) },
});

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

async function rpc(path: string, body: object | string, headers: Record<string, string> = {}) {
  const res = await fetch(`${sidecar.url}${path}`, {
    method: 'POST',
    headers: { ...JSON_HEADERS, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: (text ? JSON.parse(text) : undefined) as Record<string, any> | undefined };
}

/** node:http, for what fetch will not send (a Host header of our choosing). */
function rawHttp(opts: { method: string; path: string; headers: Record<string, string>; body?: string }): Promise<{ status: number; body: string }> {
  const { port } = new URL(sidecar.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: opts.method, path: opts.path, headers: opts.headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

t.test('two servers in one config each serve their own tools at their own path', async (t) => {
  const a = await rpc('/mcp/a', { jsonrpc: '2.0', id: 1, method: 'tools/list' });
  const b = await rpc('/mcp/b', { jsonrpc: '2.0', id: 1, method: 'tools/list' });
  t.same(a.json!.result.tools.map((x: { name: string }) => x.name).sort(), ['only_a', 'ping_a']);
  t.same(b.json!.result.tools.map((x: { name: string }) => x.name), ['ping_b']);

  const callA = await rpc('/mcp/a', { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'ping_a', arguments: {} } });
  const callB = await rpc('/mcp/b', { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'ping_b', arguments: {} } });
  t.same(callA.json!.result.structuredContent, { from: 'a', url: '/ping' });
  t.same(callB.json!.result.structuredContent, { from: 'b', url: '/ping' });

  const cross = await rpc('/mcp/b', { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'only_a', arguments: {} } });
  t.same(cross.json!.error, { code: -32602, message: 'Unknown tool: only_a' }, "one server cannot call the other's tools");
});

t.test('each server names itself in initialize', async (t) => {
  const a = await connectClient(t, `${sidecar.url}/mcp/a`);
  const b = await connectClient(t, `${sidecar.url}/mcp/b`);
  t.equal(a.getServerVersion()?.name, 'mcp-sidecar/a');
  t.equal(b.getServerVersion()?.name, 'mcp-sidecar/b');
});

t.test('a trailing slash and a query string reach the same server', async (t) => {
  const r = await rpc('/mcp/a/?x=1', { jsonrpc: '2.0', id: 1, method: 'ping' });
  t.equal(r.status, 200);
  t.same(r.json!.result, {});
});

t.test('an unknown path is a 404 JSON body listing the servers', async (t) => {
  for (const path of ['/mcp', '/mcp/c', '/mcp/a/extra']) {
    const res = await fetch(`${sidecar.url}${path}`, { method: 'POST', headers: JSON_HEADERS, body: '{}' });
    t.equal(res.status, 404, path);
    t.match(res.headers.get('content-type'), /^application\/json/);
    t.same(await res.json(), { error: 'not_found', message: `no MCP server at ${path}`, servers: ['/mcp/a', '/mcp/b'] });
  }
});

t.test('GET and DELETE on a stateless endpoint are 405 with an Allow header', async (t) => {
  for (const method of ['GET', 'DELETE', 'PUT']) {
    const res = await fetch(`${sidecar.url}/mcp/a`, { method, headers: { accept: 'text/event-stream' } });
    t.equal(res.status, 405, method);
    t.equal(res.headers.get('allow'), 'POST, OPTIONS');
    const body = (await res.json()) as { error: { code: number; message: string } };
    t.equal(body.error.code, -32000);
    t.match(body.error.message, /stateless; use POST/);
  }
});

t.test('OPTIONS without an Origin is 204 with an Allow header', async (t) => {
  const res = await fetch(`${sidecar.url}/mcp/a`, { method: 'OPTIONS' });
  t.equal(res.status, 204);
  t.equal(res.headers.get('allow'), 'POST, OPTIONS');
});

t.test('a body over limits.maxRequestBody is 413', async (t) => {
  const big = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(3000) } });
  const r = await rpc('/mcp/a', big);
  t.equal(r.status, 413);
  t.equal(r.json!.error.code, -32600);
  t.equal(r.json!.error.message, 'request body is larger than 2000 bytes (limits.maxRequestBody)');
  t.equal(r.headers.get('connection'), 'close');
});

t.test('a streamed body without Content-Length is cut off at the limit with 413', async (t) => {
  const chunk = new TextEncoder().encode('x'.repeat(1000));
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent++ < 5) controller.enqueue(chunk);
      else controller.close();
    },
  });
  const res = await fetch(`${sidecar.url}/mcp/a`, { method: 'POST', headers: JSON_HEADERS, body, duplex: 'half' } as RequestInit);
  t.equal(res.status, 413);
  t.match(((await res.json()) as { error: { message: string } }).error.message, /larger than 2000 bytes/);
});

t.test('a body of exactly limits.maxRequestBody bytes is accepted', async (t) => {
  const base = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: '' } });
  const exact = base.replace('"pad":""', `"pad":"${'x'.repeat(2000 - base.length)}"`);
  t.equal(Buffer.byteLength(exact), 2000);
  const r = await rpc('/mcp/a', exact);
  t.equal(r.status, 200);
});

t.test('/healthz and /health answer ok', async (t) => {
  for (const path of ['/healthz', '/health']) {
    const res = await fetch(`${sidecar.url}${path}`);
    t.equal(res.status, 200, path);
    t.match(res.headers.get('content-type'), /^application\/json/);
    t.same(await res.json(), { status: 'ok' });
  }
});

t.test('/readyz lists the generation and every server with its tool count', async (t) => {
  const res = await fetch(`${sidecar.url}/readyz`);
  t.equal(res.status, 200);
  const body = (await res.json()) as { status: string; generation: number; loadedAt: string; servers: unknown[] };
  t.equal(body.status, 'ready');
  t.equal(body.generation, sidecar.holder.current.generation);
  t.ok(!Number.isNaN(Date.parse(body.loadedAt)), 'loadedAt is a date');
  t.same(body.servers, [
    { name: 'a', path: '/mcp/a', tools: 2, sessions: 'stateless' },
    { name: 'b', path: '/mcp/b', tools: 1, sessions: 'stateless' },
  ]);
});

t.test('/readyz reports a failed reload while the old config keeps serving', async (t) => {
  sidecar.writeConfig('servers:\n  - spec: ./a.yaml\n    sessions: sticky\n');
  t.teardown(async () => {
    sidecar.writeConfig(config);
    await sidecar.reload({ force: true });
  });
  sidecar.requestReload('test');
  await sidecar.reloadsSettled();
  const body = (await (await fetch(`${sidecar.url}/readyz`)).json()) as { status: string; servers: unknown[]; lastReload?: { reason: string; result: string; problems?: { line: number; path: string }[] } };
  t.equal(body.status, 'ready');
  t.equal(body.servers.length, 2, 'still the old servers');
  t.match(body.lastReload, { reason: 'test', result: 'failure', problems: [{ line: 3, path: 'servers[0].sessions' }] });
  const r = await rpc('/mcp/b', { jsonrpc: '2.0', id: 1, method: 'ping' });
  t.equal(r.status, 200);
});

t.test('a Host header that is not allowed is 403 (DNS rebinding)', async (t) => {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
  const evil = await rawHttp({ method: 'POST', path: '/mcp/a', headers: { ...JSON_HEADERS, host: 'evil.example.com' }, body });
  t.equal(evil.status, 403);
  t.match(JSON.parse(evil.body).error.message, /Host "evil\.example\.com" is not allowed/);
  const local = await rawHttp({ method: 'POST', path: '/mcp/a', headers: { ...JSON_HEADERS, host: `localhost:${new URL(sidecar.url).port}` }, body });
  t.equal(local.status, 200, 'a loopback name is fine');
});

t.test('a cross-origin browser request is 403 when no CORS is configured', async (t) => {
  const r = await rpc('/mcp/a', { jsonrpc: '2.0', id: 1, method: 'ping' }, { origin: 'https://evil.example.com' });
  t.equal(r.status, 403);
  t.match(r.json!.error.message, /Origin "https:\/\/evil\.example\.com" is not allowed/);
});

t.test('/metrics counts tool calls per server and tool', async (t) => {
  await rpc('/mcp/b', { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'ping_b', arguments: {} } });
  const res = await fetch(`${sidecar.url}/metrics`);
  t.equal(res.status, 200);
  t.match(res.headers.get('content-type'), /^text\/plain/);
  const text = await res.text();
  t.match(text, /^mcp_sidecar_tool_calls_total\{server="b",tool="ping_b",outcome="[A-Z_]+"\} [1-9]\d*$/m);
  t.match(text, /^mcp_sidecar_tools\{server="a"\} 2$/m);
});
