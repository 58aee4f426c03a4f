import t from 'tap';
import { connect, type Socket } from 'node:net';
import { AppError } from '../../src/errors.js';
import { spec30, startTestSidecar } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';
import { until } from '../helpers/wait.js';

// Slow clients (slow-loris) are cut off with 408 by limits.headersTimeout and limits.requestTimeout,
// which cover receiving a request only: a slow tool call and an open SSE stream are left alone.
// limits.maxConnections caps the connections open at once. Real sockets throughout.

const SLOW_MS = 1500;
const up = await startUpstream((req, res) => {
  const reply = () => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  };
  if (req.url.startsWith('/slow')) setTimeout(reply, SLOW_MS);
  else reply();
});
t.teardown(() => up.close());
const ok = { '200': { description: 'ok' } };
const files = { 'api.json': spec30({ '/slow': { get: { operationId: 'slow', responses: ok } }, '/fast': { get: { operationId: 'fast', responses: ok } } }) };
const config = (limits: object) => ({
  reload: { watch: false },
  limits,
  servers: [
    { path: '/mcp', spec: './api.json', upstream: { baseUrl: up.url, timeout: '10s' } },
    { path: '/s', spec: './api.json', sessions: 'stateful', upstream: { baseUrl: up.url, timeout: '10s' } },
  ],
});
const LIMITS = { headersTimeout: '300ms', requestTimeout: '600ms' };
const sidecar = await startTestSidecar(t, { config: config(LIMITS), files });
const port = Number(new URL(sidecar.url).port);

/**
 * Connects, lets `talk` write (it may keep writing on a timer while the socket is open), and resolves with
 * everything the server sent once it closes the connection; rejects if it has not within `boundMs`.
 */
function exchange(talk: (s: Socket) => void, boundMs = 8000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => talk(s));
    let got = '';
    s.on('data', (d: Buffer) => (got += d.toString('latin1')));
    s.on('error', () => undefined);
    s.on('close', () => resolve(got));
    setTimeout(() => {
      s.destroy();
      reject(new Error(`the server had not closed the connection after ${boundMs} ms; it sent: ${JSON.stringify(got)}`));
    }, boundMs).unref();
  });
}

/** Writes `text` one byte every `everyMs` while the socket is open. */
function trickle(s: Socket, text: string, everyMs = 50): void {
  let i = 0;
  const timer = setInterval(() => {
    if (s.destroyed || i >= text.length) return clearInterval(timer);
    s.write(text[i++]!);
  }, everyMs);
  s.on('close', () => clearInterval(timer));
}

const POST_HEAD = (length: number) =>
  `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: ${length}\r\n\r\n`;

t.test('headers sent a byte at a time are cut off with 408 (limits.headersTimeout)', async (t) => {
  const got = await exchange((s) => trickle(s, POST_HEAD(2)));
  t.match(got, /^HTTP\/1\.1 408 Request Timeout\r\n/);
});

t.test('a connection that never sends a request is cut off with 408', async (t) => {
  const got = await exchange(() => undefined);
  t.match(got, /^HTTP\/1\.1 408 Request Timeout\r\n/);
});

t.test('a body that is never finished is cut off with 408 (limits.requestTimeout), and nothing is left held', async (t) => {
  const body = '{"jsonrpc":"2.0","id":1,"method":"ping"}';
  const got = await exchange((s) => {
    s.write(POST_HEAD(body.length + 100));
    trickle(s, body, 100);
  });
  t.match(got, /^HTTP\/1\.1 408 Request Timeout\r\n/);
  await until('the request to release its snapshot', () => (sidecar.holder.active === 0 ? true : undefined), 5000);
  t.pass('no snapshot is held by the abandoned request');
});

const JSON_SSE = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const call = (id: number, name: string) => JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: {} } });

t.test('a tool call slower than limits.requestTimeout is answered in full (stateless JSON)', async (t) => {
  const res = await fetch(`${sidecar.url}/mcp`, { method: 'POST', headers: JSON_SSE, body: call(1, 'slow') });
  t.equal(res.status, 200);
  t.same(((await res.json()) as { result: { structuredContent: unknown } }).result.structuredContent, { ok: true });
});

async function openSession(): Promise<Record<string, string>> {
  const init = await fetch(`${sidecar.url}/s`, {
    method: 'POST',
    headers: JSON_SSE,
    body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } }),
  });
  await init.text();
  const headers = { 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-06-18' };
  const note = await fetch(`${sidecar.url}/s`, { method: 'POST', headers: { ...JSON_SSE, ...headers }, body: '{"jsonrpc":"2.0","method":"notifications/initialized"}' });
  await note.text();
  return headers;
}

/** Reads an SSE body until `pattern` shows up (rejects after 8 s). */
async function readUntil(body: ReadableStream<Uint8Array>, pattern: RegExp): Promise<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const bound = setTimeout(() => void reader.cancel(), 8000);
  try {
    while (!pattern.test(text)) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    clearTimeout(bound);
    reader.releaseLock();
  }
  return text;
}

t.test('a stateful tool call answered as SSE after limits.requestTimeout arrives in full', async (t) => {
  const headers = await openSession();
  const res = await fetch(`${sidecar.url}/s`, { method: 'POST', headers: { ...JSON_SSE, ...headers }, body: call(2, 'slow') });
  t.equal(res.status, 200);
  t.match(res.headers.get('content-type'), /^text\/event-stream/);
  t.match(await readUntil(res.body!, /"id":2/), /"structuredContent":\{"ok":true\}/);
});

t.test('an open SSE stream outlives limits.requestTimeout and still delivers notifications', async (t) => {
  const headers = await openSession();
  const controller = new AbortController();
  t.teardown(() => controller.abort());
  const stream = await fetch(`${sidecar.url}/s`, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  t.equal(stream.status, 200);
  t.match(stream.headers.get('content-type'), /^text\/event-stream/);
  // Several request timeouts and many of node's checks go by with the stream open.
  await new Promise((r) => setTimeout(r, 2000));
  await sidecar.server.sessions.get('/s')!.notifyToolsChanged();
  t.match(await readUntil(stream.body!, /list_changed/), /notifications\/tools\/list_changed/);
});

t.test('a following request on a fresh connection is served after the cut-offs', async (t) => {
  const res = await fetch(`${sidecar.url}/mcp`, { method: 'POST', headers: JSON_SSE, body: call(3, 'fast') });
  t.equal(res.status, 200);
});

t.test('the client limits are read at start-up: a reload that changes one fails and names it', async (t) => {
  const before = sidecar.holder.current;
  sidecar.writeConfig(config({ ...LIMITS, requestTimeout: '5s', maxConnections: 5 }));
  const err = (await sidecar.reload().then(
    () => undefined,
    (e: unknown) => e,
  )) as AppError;
  t.equal(err?.code, 'CONFIG_RESTART_REQUIRED');
  t.match(err.message, 'limits.requestTimeout changed');
  t.match(err.message, 'limits.maxConnections changed');
  t.equal(sidecar.holder.current, before, 'the running config keeps serving');
  sidecar.writeConfig(config(LIMITS));
});

t.test('connections beyond limits.maxConnections are closed at once; freed ones are reused', async (t) => {
  const capped = await startTestSidecar(t, { config: config({ maxConnections: 2 }), files });
  const cport = Number(new URL(capped.url).port);
  const open = (): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const s = connect(cport, '127.0.0.1');
      s.once('error', reject);
      // A kept-alive request proves the server took the connection.
      s.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${cport}\r\n\r\n`);
      s.once('data', (d: Buffer) => (d.toString().startsWith('HTTP/1.1 200') ? resolve(s) : reject(new Error(d.toString()))));
      s.once('close', () => reject(new Error('closed without an answer')));
    });
  const a = await open();
  const b = await open();
  await t.rejects(open(), /closed without an answer|ECONNRESET/, 'a third connection is closed unanswered');
  a.destroy();
  const c = await until('a freed connection slot', () => open().then((s) => s, () => undefined), 5000);
  t.pass('after one closes, a new connection is served');
  b.destroy();
  c.destroy();
});
