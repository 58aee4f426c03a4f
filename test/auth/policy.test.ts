import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { request } from 'undici';
import { DEFAULT_ORG_ID, startAuthServer } from '../helpers/oidc.js';
import { spec30, startTestSidecar } from '../helpers/sidecar.js';
import { signAccessToken } from '../helpers/tokens.js';
import { startUpstream } from '../helpers/upstream.js';

// The claims policy: allowed organizations, required claim values, and allowed email domains looked up at
// a userinfo endpoint (AuthKit access tokens carry no email), cached per sub. A denial is 403 access_denied.

const as = await startAuthServer();
t.teardown(() => as.close());
const up = await startUpstream();
t.teardown(() => up.close());

// A real userinfo endpoint, as AuthKit's: it checks the bearer token it gets against the AS keys and
// answers {sub, email} for the users it knows. It counts lookups per sub.
const emails: Record<string, string> = {
  user_ada: 'ada@example.com',
  user_shout: 'SHOUT@EXAMPLE.COM',
  user_bob: 'bob@partner.example',
  user_grace: 'grace@elsewhere.example',
};
const lookups: Record<string, number> = {};
const badTokens: string[] = [];
const jwks = createRemoteJWKSet(new URL(as.jwksUri));
const userinfo = createServer((req, res) => {
  void (async () => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const sub = token ? await jwtVerify(token, jwks, { issuer: as.issuer }).then((r) => r.payload.sub, () => undefined) : undefined;
    if (!sub) {
      badTokens.push(req.headers.authorization ?? '(none)');
      res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end();
      return;
    }
    lookups[sub] = (lookups[sub] ?? 0) + 1;
    const email = emails[sub];
    if (!email) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sub, email }));
  })();
});
await new Promise<void>((resolve) => userinfo.listen(0, '127.0.0.1', resolve));
t.teardown(() => new Promise<void>((resolve) => userinfo.close(() => resolve())));
const userinfoEndpoint = `http://127.0.0.1:${(userinfo.address() as AddressInfo).port}/oauth2/userinfo`;

const server = (path: string, auth: object) => ({ path, spec: './api.json', upstream: { baseUrl: up.url }, auth: { provider: 'oidc', issuer: as.issuer, ...auth } });
const sidecar = await startTestSidecar(t, {
  config: {
    reload: { watch: false },
    servers: [
      server('/mcp/orgs', { policy: { orgIds: [DEFAULT_ORG_ID, 'org_01SECOND'] } }),
      server('/mcp/claims', { policy: { claims: { role: ['owner', 'admin'], groups: 'ops' } } }),
      server('/mcp/email', { policy: { emailDomains: ['example.com', '@partner.example'] }, authorizationServerMetadata: { userinfoEndpoint } }),
      server('/mcp/no-userinfo', { policy: { emailDomains: ['example.com'] }, userinfo: false, authorizationServerMetadata: { userinfoEndpoint } }),
    ],
  },
  files: { 'api.json': spec30({ '/pets': { get: { operationId: 'listPets', responses: { '200': { description: 'ok' } } } } }) },
});

/** A token for the server at `path`, signed by the AS key; `claims` override the AuthKit-like defaults. */
const tokenFor = (path: string, subject = 'user_ada', claims: Record<string, unknown> = {}) => signAccessToken(as, { audience: `${sidecar.url}${path}`, subject, claims });

/** tools/call listPets at `path`: status, body, and whether the upstream got the call. */
async function callAt(path: string, token: string) {
  up.requests.length = 0;
  const res = await request(`${sidecar.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'listPets', arguments: {} } }),
  });
  const body = (await res.body.json()) as Record<string, any>;
  return { status: res.statusCode, body, challenge: res.headers['www-authenticate'], upstreamCalls: up.requests.length };
}

async function allowed(t: Test, path: string, token: string, what: string) {
  const r = await callAt(path, token);
  t.equal(r.status, 200, `${what}: allowed`);
  t.notOk(r.body.result?.isError, `${what}: the tool ran`);
  t.equal(r.upstreamCalls, 1, `${what}: the upstream got the call`);
}

async function denied(t: Test, path: string, token: string, what: string, why: RegExp) {
  const r = await callAt(path, token);
  t.equal(r.status, 403, `${what}: denied`);
  t.match(r.body, { error: 'access_denied', error_description: why }, what);
  t.equal(r.upstreamCalls, 0, `${what}: the upstream was not called`);
}

t.test('orgIds allows the listed organizations and denies the others', async (t) => {
  await allowed(t, '/mcp/orgs', await as.mintToken({ resource: `${sidecar.url}/mcp/orgs` }), 'a real AS token with the default org_id');
  await allowed(t, '/mcp/orgs', await tokenFor('/mcp/orgs', 'user_ada', { org_id: 'org_01SECOND' }), 'the second allowed org');
  await denied(t, '/mcp/orgs', await tokenFor('/mcp/orgs', 'user_ada', { org_id: 'org_01OTHER' }), 'another org', /organization is not allowed/);
  await denied(t, '/mcp/orgs', await tokenFor('/mcp/orgs', 'user_ada', { org_id: undefined }), 'no org_id at all (userinfo at the AS refuses the resource token)', /organization|userinfo/);
});

t.test('claims must have one of the configured values', async (t) => {
  await allowed(t, '/mcp/claims', await tokenFor('/mcp/claims', 'user_ada', { role: 'owner', groups: 'ops' }), 'role owner, group ops');
  await allowed(t, '/mcp/claims', await tokenFor('/mcp/claims', 'user_ada', { role: 'admin', groups: ['eng', 'ops'] }), 'a list claim containing the value');
  await denied(t, '/mcp/claims', await tokenFor('/mcp/claims', 'user_ada', { role: 'member', groups: 'ops' }), 'role member', /claim role/);
  await denied(t, '/mcp/claims', await tokenFor('/mcp/claims', 'user_ada', { role: 'owner', groups: ['eng'] }), 'not in group ops', /claim groups/);
  await denied(t, '/mcp/claims', await tokenFor('/mcp/claims', 'user_ada', { role: ['member', 'guest'], groups: 'ops' }), 'no allowed role in a list', /claim role/);
});

t.test('emailDomains are checked against the email looked up at userinfo, once per sub', async (t) => {
  const before = { ...lookups };
  const n = (sub: string) => (lookups[sub] ?? 0) - (before[sub] ?? 0);
  await allowed(t, '/mcp/email', await tokenFor('/mcp/email', 'user_ada'), 'ada@example.com');
  await allowed(t, '/mcp/email', await tokenFor('/mcp/email', 'user_ada'), 'ada again, with a new token');
  await allowed(t, '/mcp/email', await tokenFor('/mcp/email', 'user_ada'), 'ada a third time');
  t.equal(n('user_ada'), 1, 'userinfo was asked once for ada: the answer is cached per sub');
  await allowed(t, '/mcp/email', await tokenFor('/mcp/email', 'user_shout'), 'an upper-case address');
  await allowed(t, '/mcp/email', await tokenFor('/mcp/email', 'user_bob'), 'a domain configured as @partner.example');
  await denied(t, '/mcp/email', await tokenFor('/mcp/email', 'user_grace'), 'grace@elsewhere.example', /email domain is not allowed/);
  await denied(t, '/mcp/email', await tokenFor('/mcp/email', 'user_grace'), 'grace again', /email domain is not allowed/);
  t.equal(n('user_grace'), 1, 'a denial is cached too');
  await denied(t, '/mcp/email', await tokenFor('/mcp/email', 'user_unknown'), 'a user userinfo does not know', /userinfo/);
  t.same(badTokens, [], 'userinfo always got a valid bearer token from the sidecar');
});

t.test('an email in the token itself needs no userinfo lookup', async (t) => {
  const before = lookups.user_carol ?? 0;
  await allowed(t, '/mcp/email', await tokenFor('/mcp/email', 'user_carol', { email: 'carol@example.com' }), 'email claim in the token');
  await denied(t, '/mcp/email', await tokenFor('/mcp/email', 'user_carol', { email: 'carol@elsewhere.example' }), 'a token email of another domain', /email domain/);
  t.equal(lookups.user_carol ?? 0, before, 'userinfo was not asked');
});

t.test('with userinfo: false a token without an email is denied without a lookup', async (t) => {
  const before = { ...lookups };
  await denied(t, '/mcp/no-userinfo', await tokenFor('/mcp/no-userinfo', 'user_ada'), 'no email claim, no lookup', /email domain/);
  t.same(lookups, before, 'userinfo was not asked');
  await allowed(t, '/mcp/no-userinfo', await tokenFor('/mcp/no-userinfo', 'user_ada', { email: 'ada@example.com' }), 'the email in the token');
});
