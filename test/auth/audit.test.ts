import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { request } from 'undici';
import { AuditLog } from '../../src/auth/index.js';
import { DEFAULT_ORG_ID, startAuthServer } from '../helpers/oidc.js';
import { spec30, startTestSidecar } from '../helpers/sidecar.js';
import { buildTokenMatrix, signAccessToken } from '../helpers/tokens.js';
import { startUpstream } from '../helpers/upstream.js';

// The audit log as JSON lines in a file: every authentication result with its reason, every tool call
// with who made it, and never a token.

const as = await startAuthServer();
t.teardown(() => as.close());
const up = await startUpstream((req, res) => {
  res.writeHead(req.url === '/broken' ? 500 : 200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ ok: req.url !== '/broken' }));
});
t.teardown(() => up.close());
const dir = mkdtempSync(path.join(tmpdir(), 'mcp-sidecar-audit-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const file = path.join(dir, 'logs', 'audit.jsonl');
const audit = new AuditLog({ enabled: true, file });

const ok = { '200': { description: 'ok' } };
const sidecar = await startTestSidecar(t, {
  audit,
  config: {
    reload: { watch: false },
    servers: [
      {
        name: 'pets',
        path: '/mcp',
        spec: './api.json',
        upstream: { baseUrl: up.url },
        auth: { provider: 'oidc', issuer: as.issuer, policy: { orgIds: [DEFAULT_ORG_ID] } },
      },
    ],
  },
  files: { 'api.json': spec30({ '/pets': { get: { operationId: 'listPets', responses: ok } }, '/broken': { get: { operationId: 'broken', responses: ok } } }) },
});
const resource = `${sidecar.url}/mcp`;
const matrix = await buildTokenMatrix(as, { audience: resource, subject: 'user_01AUDIT', clientId: 'client_01AUDIT' });
const outsider = await signAccessToken(as, { audience: resource, subject: 'user_01OUTSIDER', orgId: 'org_01OUTSIDE' });
const tokens = [matrix.valid, outsider, ...Object.values(matrix.forgeries).map((f) => f.token)];

async function call(requestId: string, headers: Record<string, string>, tool = 'listPets', query = '') {
  const res = await request(`${resource}${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'x-request-id': requestId, ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: tool, arguments: {} } }),
  });
  await res.body.dump();
  return res.statusCode;
}

type Line = Record<string, unknown>;
const readLines = (): Line[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Line)
    : [];

/** The audit lines of one request, once `count` of them are written (the log writes asynchronously). */
async function linesOf(requestId: string, count: number): Promise<Line[]> {
  const deadline = Date.now() + 3000;
  for (;;) {
    audit.flush();
    const lines = readLines().filter((l) => l.requestId === requestId);
    if (lines.length >= count || Date.now() > deadline) return lines;
    await new Promise((r) => setTimeout(r, 20));
  }
}

t.test('a request without a token is logged as an auth failure with its reason', async (t) => {
  t.equal(await call('audit-missing', {}), 401);
  t.match(await linesOf('audit-missing', 1), [{ log: 'audit', event: 'auth', result: 'failure', server: 'pets', reason: 'missing_token', time: String }]);
});

t.test('a bad token is logged with the reason it was refused', async (t) => {
  const cases: [string, string][] = [
    [matrix.forgeries.expired.token, 'expired'],
    [matrix.forgeries.wrongAudience.token, 'wrong_audience'],
    [matrix.forgeries.tamperedPayload.token, 'bad_signature'],
    [matrix.forgeries.unknownKid.token, 'unknown_key'],
  ];
  for (const [i, [token, reason]] of cases.entries()) {
    t.equal(await call(`audit-bad-${i}`, { authorization: `Bearer ${token}` }), 401, reason);
    const lines = await linesOf(`audit-bad-${i}`, 1);
    t.match(lines, [{ event: 'auth', result: 'failure', reason }], reason);
    t.notOk(lines[0] && 'sub' in lines[0], 'an unverified token names nobody');
  }
  t.equal(await call('audit-query', {}, 'listPets', `?access_token=${matrix.valid}`), 401);
  t.match(await linesOf('audit-query', 1), [{ result: 'failure', reason: 'token_in_query' }]);
  t.equal(await call('audit-malformed', { authorization: `Token ${matrix.valid}` }), 401);
  t.match(await linesOf('audit-malformed', 1), [{ result: 'failure', reason: 'malformed_header' }]);
  t.equal(await call('audit-session', { authorization: `Bearer ${matrix.forgeries.workosSessionToken.token}` }), 401);
  t.match(await linesOf('audit-session', 1), [{ result: 'failure', reason: 'session_token' }]);
});

t.test('a policy denial is logged as an auth failure', async (t) => {
  t.equal(await call('audit-denied', { authorization: `Bearer ${outsider}` }), 403);
  t.match(await linesOf('audit-denied', 1), [{ event: 'auth', result: 'failure', reason: 'policy_denied' }]);
});

t.test('a tool call is logged with who made it: auth success, then the call', async (t) => {
  t.equal(await call('audit-ok', { authorization: `Bearer ${matrix.valid}` }), 200);
  const [auth, tool] = await linesOf('audit-ok', 2);
  t.match(auth, { log: 'audit', event: 'auth', result: 'success', server: 'pets', sub: 'user_01AUDIT', orgId: DEFAULT_ORG_ID, clientId: 'client_01AUDIT' });
  t.match(tool, { log: 'audit', event: 'tool_call', server: 'pets', tool: 'listPets', sub: 'user_01AUDIT', orgId: DEFAULT_ORG_ID, status: 200, outcome: String, ms: Number });
  t.ok((tool?.ms as number) >= 0);
});

t.test('a failing upstream call is logged with its status', async (t) => {
  t.equal(await call('audit-500', { authorization: `Bearer ${matrix.valid}` }, 'broken'), 200, 'a tool error is still a JSON-RPC result');
  const lines = await linesOf('audit-500', 2);
  t.match(lines.find((l) => l.event === 'tool_call'), { tool: 'broken', sub: 'user_01AUDIT', status: 500 });
});

t.test('no audit line contains a token', async (t) => {
  const text = readFileSync(file, 'utf8');
  t.ok(text.split('\n').filter(Boolean).length >= 10, 'the log has the lines of this file');
  for (const token of tokens) {
    t.notOk(text.includes(token), `no token (${token.slice(0, 12)}…)`);
    // The signature part alone would be enough to replay a token.
    const signature = token.split('.')[2];
    if (signature) t.notOk(text.includes(signature), 'nor its signature');
  }
  t.notMatch(text, /Bearer/i, 'no Authorization value');
});
