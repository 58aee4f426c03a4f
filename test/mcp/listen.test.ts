import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { spec30, startTestSidecar } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';

// 2026-07-28 subscriptions/listen on the stateless endpoint: a hot reload that changes a server's tools
// reaches every open stream on that server, tagged with the stream's subscription id.
const up = await startUpstream();
t.teardown(() => up.close());
const ok = { '200': { description: 'ok' } };
const one = spec30({ '/a': { get: { operationId: 'a', responses: ok } } });
const two = spec30({ '/a': { get: { operationId: 'a', responses: ok } }, '/b': { get: { operationId: 'b', responses: ok } } });
const sidecar = await startTestSidecar(t, {
  config: {
    reload: { watch: false },
    servers: [
      { path: '/mcp', spec: './changing.json', upstream: { baseUrl: up.url } },
      { path: '/mcp/other', spec: './steady.json', upstream: { baseUrl: up.url } },
    ],
  },
  files: { 'changing.json': one, 'steady.json': one },
});
const V = '2026-07-28';
const meta = { 'io.modelcontextprotocol/protocolVersion': V, 'io.modelcontextprotocol/clientCapabilities': {} };

/** Opens a raw listen stream and returns a reader of its SSE messages, one JSON-RPC message at a time. */
async function listen(endpoint: string, id: number | string, notifications: object) {
  const ctrl = new AbortController();
  t.teardown(() => ctrl.abort());
  const res = await fetch(`${sidecar.url}${endpoint}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': V, 'mcp-method': 'subscriptions/listen' },
    body: JSON.stringify({ jsonrpc: '2.0', id, method: 'subscriptions/listen', params: { _meta: meta, notifications } }),
    signal: ctrl.signal,
  });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  const next = async (): Promise<any> => {
    for (;;) {
      const end = buffered.indexOf('\n\n');
      if (end !== -1) {
        const event = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const data = event.split('\n').find((l) => l.startsWith('data: '));
        if (data) return JSON.parse(data.slice(6));
        continue;
      }
      const { value, done } = await reader.read();
      if (done) return undefined;
      buffered += value;
    }
  };
  return { res, next };
}

t.test('a listen stream is acknowledged first, then told when a reload changes its server’s tools', async (t) => {
  const changing = await listen('/mcp', 'listen-1', { toolsListChanged: true, resourcesListChanged: true });
  const steady = await listen('/mcp/other', 7, { toolsListChanged: true });
  t.equal(changing.res.status, 200);
  t.equal(changing.res.headers.get('content-type'), 'text/event-stream');
  t.equal(changing.res.headers.get('mcp-session-id'), null, 'no session');
  t.same(await changing.next(), {
    jsonrpc: '2.0',
    method: 'notifications/subscriptions/acknowledged',
    params: { _meta: { 'io.modelcontextprotocol/subscriptionId': 'listen-1' }, notifications: { toolsListChanged: true } },
  }, 'only what the server can send is acknowledged');
  t.equal((await steady.next()).method, 'notifications/subscriptions/acknowledged');

  // A forced reload of unchanged files changes no tool list: nobody is told.
  await sidecar.reload({ force: true });
  writeFileSync(path.join(sidecar.dir, 'changing.json'), JSON.stringify(two));
  await sidecar.reload();
  t.same(await changing.next(), { jsonrpc: '2.0', method: 'notifications/tools/list_changed', params: { _meta: { 'io.modelcontextprotocol/subscriptionId': 'listen-1' } } });

  // The steady server's stream got nothing before its graceful end: the shutdown result comes next.
  sidecar.server.listeners.closeAll();
  t.same(await steady.next(), { jsonrpc: '2.0', id: 7, result: { resultType: 'complete', _meta: { 'io.modelcontextprotocol/subscriptionId': 7 } } });
  t.same(await changing.next(), { jsonrpc: '2.0', id: 'listen-1', result: { resultType: 'complete', _meta: { 'io.modelcontextprotocol/subscriptionId': 'listen-1' } } }, 'the first stream got only its one notification before the end');
  t.equal(await changing.next(), undefined, 'and the stream is closed');
  t.equal(sidecar.server.listeners.size, 0);
});

t.test('a listen without a filter object is -32602; one asking for nothing this server sends ends at once', async (t) => {
  const bad = await fetch(`${sidecar.url}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': V, 'mcp-method': 'subscriptions/listen' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'subscriptions/listen', params: { _meta: meta } }),
  });
  t.match(await bad.json(), { id: 3, error: { code: -32602 } });
  const nothing = await listen('/mcp', 4, { promptsListChanged: true });
  t.same((await nothing.next()).params.notifications, {});
  t.same((await nothing.next()).result, { resultType: 'complete', _meta: { 'io.modelcontextprotocol/subscriptionId': 4 } });
  t.equal(await nothing.next(), undefined);
});

t.test('the SDK v2 client’s listen() gets tools/list_changed after a reload, and the new list', async (t) => {
  writeFileSync(path.join(sidecar.dir, 'changing.json'), JSON.stringify(one));
  await sidecar.reload();
  const client = new Client({ name: 'listen-test', version: '1.0.0' }, { versionNegotiation: { mode: { pin: V } } });
  t.teardown(() => client.close());
  await client.connect(new StreamableHTTPClientTransport(new URL(`${sidecar.url}/mcp`)));
  t.same((await client.listTools()).tools.map((x) => x.name), ['a']);
  const changed = new Promise<void>((resolve) => client.setNotificationHandler('notifications/tools/list_changed', () => resolve()));
  const sub = await client.listen({ toolsListChanged: true });
  t.same(sub.honoredFilter, { toolsListChanged: true });
  writeFileSync(path.join(sidecar.dir, 'changing.json'), JSON.stringify(two));
  await sidecar.reload();
  await changed;
  t.same((await client.listTools()).tools.map((x) => x.name), ['a', 'b']);
  await sub.close();
});
