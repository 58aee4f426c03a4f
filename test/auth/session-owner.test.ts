import t from 'tap';
import { startAuthServer } from '../helpers/oidc.js';
import { connectClient, firstText, spec30, startTestSidecar } from '../helpers/sidecar.js';
import { signAccessToken } from '../helpers/tokens.js';
import { startUpstream } from '../helpers/upstream.js';

// `sessions: stateful` with auth: a session belongs to the user (issuer + subject) who opened it. Another
// user's perfectly valid token on that Mcp-Session-Id is answered as if the session did not exist.

const as = await startAuthServer();
t.teardown(() => as.close());
const up = await startUpstream();
t.teardown(() => up.close());
const ok = { '200': { description: 'ok', content: { 'application/json': { schema: { type: 'object' } } } } };
const sidecar = await startTestSidecar(t, {
  config: {
    reload: { watch: false },
    servers: [{ path: '/mcp', spec: './api.json', sessions: 'stateful', upstream: { baseUrl: up.url }, auth: { provider: 'oidc', issuer: as.issuer } }],
  },
  files: { 'api.json': spec30({ '/pets': { get: { operationId: 'listPets', responses: ok } } }) },
});
const url = `${sidecar.url}/mcp`;
const tokenOf = (subject: string) => signAccessToken(as, { audience: url, subject });
const alice = await tokenOf('user_01ALICE');
const mallory = await tokenOf('user_01MALLORY');

async function raw(method: string, sid: string, token: string, body?: object) {
  const res = await fetch(url, {
    method,
    headers: {
      accept: 'application/json, text/event-stream',
      'content-type': 'application/json',
      'mcp-session-id': sid,
      'mcp-protocol-version': '2025-06-18',
      authorization: `Bearer ${token}`,
    },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(5000),
  });
  const text = await res.text();
  return { status: res.status, body: text.startsWith('{') ? (JSON.parse(text) as { error?: { code: number; message: string } }) : text };
}

const call = { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'listPets', arguments: {} } };

t.test("another user's valid token cannot call tools on someone else's session", async (t) => {
  const client = await connectClient(t, url, { headers: { authorization: `Bearer ${alice}` } });
  const sid = (client.transport as { sessionId?: string }).sessionId!;
  t.ok(sid, 'alice has a session');
  up.requests.length = 0;
  const r = await raw('POST', sid, mallory, call);
  t.equal(r.status, 404, 'the same answer as for an unknown session: nothing says the id is live');
  t.match(r.body, { error: { code: -32001, message: /^Session not found/ } });
  t.equal(up.requests.length, 0, 'the upstream was not called');
  const mine = await client.callTool({ name: 'listPets', arguments: {} });
  t.notOk(mine.isError, firstText(mine));
  t.equal(up.requests.length, 1, "alice's own call goes through");
});

t.test("another user can neither end nor listen on someone else's session", async (t) => {
  const client = await connectClient(t, url, { headers: { authorization: `Bearer ${alice}` } });
  const sid = (client.transport as { sessionId?: string }).sessionId!;
  t.equal((await raw('DELETE', sid, mallory)).status, 404, 'DELETE refused');
  t.equal((await raw('GET', sid, mallory)).status, 404, 'GET stream refused');
  t.same((await client.listTools()).tools.map((x) => x.name), ['listPets'], 'the session is still alive for its owner');
});

t.test('the owner may renew the token: the session is bound to the user, not the token', async (t) => {
  const client = await connectClient(t, url, { headers: { authorization: `Bearer ${alice}` } });
  const sid = (client.transport as { sessionId?: string }).sessionId!;
  const renewed = await tokenOf('user_01ALICE');
  t.not(renewed, alice);
  const r = await raw('POST', sid, renewed, call);
  t.equal(r.status, 200, typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
  t.equal((await raw('DELETE', sid, renewed)).status, 200, 'and end it');
  t.equal((await raw('POST', sid, alice, call)).status, 404, 'ended');
});
