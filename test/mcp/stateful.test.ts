import t, { type Test } from 'tap';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { firstText, spec30, startTestSidecar } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';
import { until } from '../helpers/wait.js';

// `sessions: stateful`: the SDK transport, Mcp-Session-Id sessions, the GET notification stream.
const op = (operationId: string, path: string) => ({
  [path]: { get: { operationId, responses: { '200': { description: 'ok', content: { 'application/json': { schema: { type: 'object' } } } } } } },
});
const upstream = await startUpstream();
t.teardown(() => upstream.close());
const config = (spec: string) => ({
  reload: { watch: false },
  servers: [{ name: 'sessions', path: '/mcp', spec, sessions: 'stateful', upstream: { baseUrl: upstream.url } }],
});
const sidecar = await startTestSidecar(t, {
  config: config('./v1.yaml'),
  files: { 'v1.yaml': spec30({ ...op('alpha', '/alpha'), ...op('beta', '/beta') }), 'v2.yaml': spec30(op('gamma', '/gamma')) },
});
const url = `${sidecar.url}/mcp`;

async function connect(t: Test): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(url));
  const client = new Client({ name: 'stateful-test', version: '1.0.0' });
  t.teardown(() => client.close());
  await client.connect(transport);
  return { client, transport };
}

const rawPost = async (body: object, headers: Record<string, string> = {}) => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  return { status: res.status, json: (await res.json()) as { error?: { code: number; message: string }; id: unknown } };
};

t.test('the SDK client gets a session id and can list and call tools', async (t) => {
  const { client, transport } = await connect(t);
  t.match(transport.sessionId, /^[0-9a-f-]{36}$/, 'a session id was issued');
  t.same(client.getServerCapabilities()?.tools, { listChanged: true });
  const { tools } = await client.listTools();
  t.same(tools.map((x) => x.name).sort(), ['alpha', 'beta']);
  const result = await client.callTool({ name: 'alpha', arguments: {} });
  t.notOk(result.isError, firstText(result));
  t.match(result.structuredContent, { method: 'GET', url: '/alpha' });
  t.equal(upstream.requests.at(-1)?.url, '/alpha');
});

t.test('two clients get two different sessions', async (t) => {
  const a = await connect(t);
  const b = await connect(t);
  t.not(a.transport.sessionId, b.transport.sessionId);
  t.ok((sidecar.server.sessions.get('/mcp')?.size ?? 0) >= 2, 'both sessions are open on the server');
});

t.test('a request with an unknown Mcp-Session-Id gets 404 with a clear message, at once', async (t) => {
  const started = Date.now();
  const r = await rawPost({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { 'mcp-session-id': 'not-a-session', 'mcp-protocol-version': '2025-06-18' });
  t.equal(r.status, 404);
  t.equal(r.json.error?.code, -32001);
  t.match(r.json.error?.message, /^Session not found: not-a-session is not known to this server .*sticky sessions.*initialize/);
  t.ok(Date.now() - started < 2000, 'answered, not left hanging');
});

t.test('a GET or DELETE with an unknown Mcp-Session-Id gets 404 too', async (t) => {
  for (const method of ['GET', 'DELETE']) {
    const res = await fetch(url, { method, headers: { 'mcp-session-id': 'gone', accept: 'text/event-stream' }, signal: AbortSignal.timeout(5000) });
    t.equal(res.status, 404, method);
    t.match(((await res.json()) as { error: { message: string } }).error.message, /Session not found: gone/);
  }
});

t.test('a request without a session that is not initialize is 400', async (t) => {
  const r = await rawPost({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
  t.equal(r.status, 400);
  t.match(r.json.error?.message, /Mcp-Session-Id header is required/);
  const get = await fetch(url, { headers: { accept: 'text/event-stream' }, signal: AbortSignal.timeout(5000) });
  t.equal(get.status, 400, 'GET without a session too');
  await get.body?.cancel();
});

t.test('a body that is not JSON is 400 -32700 on a stateful endpoint', async (t) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{nope' });
  t.equal(res.status, 400);
  t.equal(((await res.json()) as { error: { code: number } }).error.code, -32700);
});

t.test('ending a session with DELETE makes its id unknown afterwards', async (t) => {
  const { transport } = await connect(t);
  const sid = transport.sessionId!;
  await transport.terminateSession();
  const r = await rawPost({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' });
  t.equal(r.status, 404);
  t.match(r.json.error?.message, `Session not found: ${sid}`);
});

t.test('after a reload that changes the tools, an open session is told and sees the new list', async (t) => {
  // The SDK client opens its GET stream after initialize. The server registers the stream before it
  // answers the GET, so once the answer is in, a notification sent now reaches this client.
  let streamOpen = false;
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    fetch: async (input, init) => {
      const res = await fetch(input, init);
      if (init?.method === 'GET' && res.ok) streamOpen = true;
      return res;
    },
  });
  const client = new Client({ name: 'stateful-test', version: '1.0.0' });
  t.teardown(() => client.close());
  await client.connect(transport);
  const changed = new Promise<void>((resolve) => client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()));
  t.same((await client.listTools()).tools.map((x) => x.name).sort(), ['alpha', 'beta']);
  await until('the client to open its notification stream', () => (streamOpen ? true : undefined));

  sidecar.writeConfig(config('./v2.yaml'));
  t.teardown(async () => {
    sidecar.writeConfig(config('./v1.yaml'));
    await sidecar.reload();
  });
  await sidecar.reload();
  await Promise.race([changed, new Promise((_, reject) => setTimeout(() => reject(new Error('no tools/list_changed within 5 s')), 5000))]);
  t.pass('notifications/tools/list_changed arrived');
  t.same((await client.listTools()).tools.map((x) => x.name), ['gamma'], 'the same session sees the new tools');
  const result = await client.callTool({ name: 'gamma', arguments: {} });
  t.match(result.structuredContent, { url: '/gamma' });
});
