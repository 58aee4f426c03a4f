import t from 'tap';
import type { ServerResponse } from 'node:http';
import { connectClient, firstText, spec30, startTestSidecar } from '../helpers/sidecar.js';
import { startUpstream, type UpstreamHandler } from '../helpers/upstream.js';
import { until } from '../helpers/wait.js';

// upstream.timeout is a deadline for the whole call, body included: an upstream that trickles, stalls
// or never answers is cut off, its connection closed, and the concurrency slot freed for the next call.

/** Responses the upstream has seen closed (by the client) before it finished them, by path. */
const closedEarly = new Set<string>();
const watch = (path: string, res: ServerResponse) => res.on('close', () => !res.writableFinished && closedEarly.add(path));

const handler: UpstreamHandler = (req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  watch(path, res);
  switch (path) {
    case '/trickle': {
      // A well-formed JSON body, one byte every 20 ms: each gap is far below the timeout, the whole far above.
      const body = JSON.stringify({ pad: 'x'.repeat(200) });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
      let i = 0;
      const timer = setInterval(() => {
        res.write(body[i++]);
        if (i === body.length) {
          clearInterval(timer);
          res.end();
        }
      }, 20);
      return void res.on('close', () => clearInterval(timer));
    }
    case '/silent':
      return; // headers never come
    case '/halfway':
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      return void res.write('{"half":'); // and then nothing, with the connection open
    default:
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end('{"ok":true}');
  }
};

const up = await startUpstream(handler);
t.teardown(() => up.close());
const get = (operationId: string) => ({ get: { operationId, responses: { '200': { description: 'ok' } } } });
const sidecar = await startTestSidecar(t, {
  config: {
    reload: { watch: false },
    // One slot and one upstream connection: a call that kept either would block the next one.
    limits: { maxConcurrentUpstream: 1 },
    servers: [{ path: '/mcp', spec: './api.json', upstream: { baseUrl: up.url, timeout: '300ms', maxConnections: 1 } }],
  },
  files: { 'api.json': spec30({ '/trickle': get('trickle'), '/silent': get('silent'), '/halfway': get('halfway'), '/ok': get('ok') }) },
});
const client = await connectClient(t, `${sidecar.url}/mcp`);
const call = async (name: string) => (await client.callTool({ name, arguments: {} })) as { isError?: boolean; content: { type: string; text?: string }[] };

for (const [name, what] of [
  ['trickle', 'a body trickling in a byte at a time'],
  ['silent', 'headers that never come'],
  ['halfway', 'a body that stops halfway'],
] as const) {
  t.test(`${what} ends in a timeout result, the upstream request is aborted and the slot is free`, async (t) => {
    const res = await call(name);
    t.equal(res.isError, true, 'an error result, not the late body');
    t.equal(firstText(res), `The upstream API did not answer GET /${name} within 300 ms (timeout). It may be overloaded; try again later.`);
    await until(`the upstream to see /${name} closed`, () => closedEarly.has(`/${name}`) || undefined, 5000);
    t.pass('the upstream saw its response cut off');
    const next = await call('ok');
    t.notOk(next.isError, `a following call succeeds with one slot and one connection: ${firstText(next)}`);
    t.equal(firstText(next), '{"ok":true}');
  });
}

t.test('the timeout is counted as UPSTREAM_TIMEOUT in the metrics', async (t) => {
  await call('trickle');
  const text = await (await fetch(`${sidecar.url}/metrics`)).text();
  t.match(text, /mcp_sidecar_tool_calls_total\{[^}]*tool="trickle"[^}]*outcome="UPSTREAM_TIMEOUT"[^}]*\} [1-9]/);
});
