import t from 'tap';
import { spec30, startTestSidecar } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';

// Stateful sessions: the request limit follows reloads, idle sessions are closed, OPTIONS needs no session.
const upstream = await startUpstream();
t.teardown(() => upstream.close());
const spec = spec30({ '/a': { get: { operationId: 'a', responses: { '200': { description: 'ok' } } } } });
const config = (maxRequestBody: string) => ({
  reload: { watch: false },
  limits: { maxRequestBody },
  servers: [{ path: '/mcp', spec: './spec.json', sessions: 'stateful', upstream: { baseUrl: upstream.url } }],
});
const sidecar = await startTestSidecar(t, { config: config('100kb'), files: { 'spec.json': spec } });
const url = `${sidecar.url}/mcp`;
const initialize = (padding: number) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x'.repeat(padding), version: '1' } } }),
    signal: AbortSignal.timeout(5000),
  });

t.test('a reloaded limits.maxRequestBody applies to stateful endpoints at once', async (t) => {
  const before = await initialize(3000);
  t.equal(before.status, 200);
  await before.body?.cancel();
  sidecar.writeConfig(config('1kb'));
  await sidecar.reload();
  const after = await initialize(3000);
  t.equal(after.status, 413);
  await after.body?.cancel();
  sidecar.writeConfig(config('100kb'));
  await sidecar.reload();
});

t.test('idle sessions are closed and then answered with 404', async (t) => {
  const res = await initialize(10);
  const sid = res.headers.get('mcp-session-id');
  await res.body?.cancel();
  t.ok(sid, 'a session id was issued');
  const manager = sidecar.server.sessions.get('/mcp')!;
  const open = manager.size;
  manager.expire(Date.now() + 1);
  t.equal(manager.size, 0, `all ${open} idle sessions closed`);
  const ping = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': sid!, 'mcp-protocol-version': '2025-11-25' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }),
  });
  t.equal(ping.status, 404);
  t.match(((await ping.json()) as { error: { message: string } }).error.message, /Session not found/);
});

t.test('OPTIONS without an Origin is answered with Allow, no session needed', async (t) => {
  const res = await fetch(url, { method: 'OPTIONS' });
  t.equal(res.status, 204);
  t.equal(res.headers.get('allow'), 'GET, POST, DELETE, OPTIONS');
});
