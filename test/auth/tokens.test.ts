import { request as httpRequest } from 'node:http';
import t from 'tap';
import { request } from 'undici';
import { generateSigningKey, startAuthServer } from '../helpers/oidc.js';
import { spec30, startTestSidecar } from '../helpers/sidecar.js';
import { accessTokenClaims, buildTokenMatrix, signAccessToken, signJwt, type ForgeryName } from '../helpers/tokens.js';
import { startUpstream } from '../helpers/upstream.js';

// Raw HTTP tools/call requests with every kind of bad credential: each gets a 401 with a challenge that
// points at the metadata and says why, and the upstream never hears of it.

const as = await startAuthServer();
t.teardown(() => as.close());
const up = await startUpstream();
t.teardown(() => up.close());
const sidecar = await startTestSidecar(t, {
  config: {
    reload: { watch: false },
    servers: [
      { path: '/mcp', spec: './api.json', upstream: { baseUrl: up.url }, auth: { provider: 'oidc', issuer: as.issuer } },
      // AuthKit-style: JWKS at <issuer>/oauth2/jwks without discovery; the trailing slash is dropped as AuthKit's iss has none.
      { path: '/mcp/workos', spec: './api.json', upstream: { baseUrl: up.url }, auth: { provider: 'workos', issuer: `${as.issuer}/` } },
    ],
  },
  files: { 'api.json': spec30({ '/pets': { get: { operationId: 'listPets', responses: { '200': { description: 'ok' } } } } }) },
});
const resource = `${sidecar.url}/mcp`;
const metadataUrl = `${sidecar.url}/.well-known/oauth-protected-resource/mcp`;
const matrix = await buildTokenMatrix(as, { audience: resource });
const call = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'listPets', arguments: {} } };

async function post(headers: Record<string, string>, query = '', url = resource) {
  const res = await request(`${url}${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(call),
  });
  const text = await res.body.text();
  const header = res.headers['www-authenticate'];
  return { status: res.statusCode, challenge: typeof header === 'string' ? header : undefined, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** `Bearer a="1", b="2"` → {a: '1', b: '2'}; undefined when it is not a Bearer challenge. */
function parseChallenge(header: string | undefined): Record<string, string> | undefined {
  if (!header?.startsWith('Bearer ')) return undefined;
  return Object.fromEntries([...header.matchAll(/([a-z_]+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
}

t.test('a valid token reaches the tool (the control)', async (t) => {
  up.requests.length = 0;
  const r = await post({ authorization: `Bearer ${matrix.valid}` });
  t.equal(r.status, 200);
  t.notOk((r.body.result as { isError?: boolean }).isError);
  t.equal(up.requests.length, 1, 'the upstream got the call');
});

t.test('no Authorization header: 401 pointing at the metadata, with no error code', async (t) => {
  up.requests.length = 0;
  const r = await post({});
  t.equal(r.status, 401);
  const c = parseChallenge(r.challenge);
  t.ok(c, `a Bearer challenge: ${r.challenge}`);
  t.equal(c?.resource_metadata, metadataUrl);
  t.notOk(c && 'error' in c, 'RFC 6750 §3.1: no error when no credentials were sent');
  t.equal(up.requests.length, 0, 'the upstream was not called');
});

const invalid: [ForgeryName, RegExp][] = [
  ['expired', /expired/],
  ['notYetValid', /not valid yet/],
  ['wrongIssuer', /not issued by/],
  ['issuerTrailingSlash', /not issued by/],
  ['wrongAudience', /not meant for this resource/],
  ['missingExp', /exp/],
  ['algNone', /algorithm/],
  ['hs256WithPublicKey', /algorithm/],
  ['unknownKid', /key the issuer does not publish/],
  ['wrongKeySameKid', /signature/],
  ['tamperedPayload', /signature/],
  ['garbage', /malformed|invalid/],
];

for (const [name, why] of invalid) {
  const forgery = matrix.forgeries[name];
  t.test(`rejects a token that is ${forgery.description} with invalid_token`, async (t) => {
    up.requests.length = 0;
    const r = await post({ authorization: `Bearer ${forgery.token}` });
    t.equal(r.status, 401);
    const c = parseChallenge(r.challenge);
    t.match(c, { resource_metadata: metadataUrl, error: 'invalid_token', error_description: why }, String(r.challenge));
    t.match(r.body, { error: 'invalid_token', error_description: why });
    t.equal(up.requests.length, 0, 'the upstream was not called');
  });
}

t.test('a real token of the same AS for another resource is refused', async (t) => {
  const other = await as.mintToken({ resource: `${sidecar.url}/other` });
  const r = await post({ authorization: `Bearer ${other}` });
  t.equal(r.status, 401);
  t.match(parseChallenge(r.challenge), { error: 'invalid_token', error_description: /not meant for this resource/ });
});

t.test('a WorkOS AuthKit session token is refused with a description that says so', async (t) => {
  up.requests.length = 0;
  const r = await post({ authorization: `Bearer ${matrix.forgeries.workosSessionToken.token}` });
  t.equal(r.status, 401);
  t.match(parseChallenge(r.challenge), { resource_metadata: metadataUrl, error: 'invalid_token', error_description: /session token/ }, String(r.challenge));
  t.match(r.body, { error: 'invalid_token', error_description: /WorkOS AuthKit session token, not an MCP access token/ });
  t.equal(up.requests.length, 0, 'the upstream was not called');
});

t.test('a session token signed by keys the AS does not publish is still named as a session token', async (t) => {
  const { aud: _aud, scope: _scope, ...claims } = accessTokenClaims(as, { audience: resource });
  const token = await signJwt(as, { ...claims, iss: 'https://api.workos.com/user_management/client_123' }, { key: await generateSigningKey(), header: { typ: 'JWT' } });
  const r = await post({ authorization: `Bearer ${token}` });
  t.equal(r.status, 401);
  t.match(parseChallenge(r.challenge), { error: 'invalid_token', error_description: /WorkOS AuthKit session token/ }, String(r.challenge));
});

t.test('provider workos finds the AuthKit JWKS without discovery and names session tokens', async (t) => {
  const url = `${sidecar.url}/mcp/workos`;
  up.requests.length = 0;
  const valid = await post({ authorization: `Bearer ${await signAccessToken(as, { audience: url })}` }, '', url);
  t.equal(valid.status, 200, 'an AuthKit-shaped token is accepted');
  t.equal(up.requests.length, 1);
  const session = await post({ authorization: `Bearer ${matrix.forgeries.workosSessionToken.token}` }, '', url);
  t.equal(session.status, 401);
  t.match(parseChallenge(session.challenge), { error: 'invalid_token', error_description: /session token, not an MCP access token/ });
  const otherResource = await post({ authorization: `Bearer ${matrix.valid}` }, '', url);
  t.match(parseChallenge(otherResource.challenge), { error: 'invalid_token', error_description: /not meant for this resource/ }, 'a token for /mcp is not one for /mcp/workos');
});

const malformed: [string, Record<string, string>, string][] = [
  ['the token in the query string', {}, `?access_token=${matrix.valid}`],
  ['the Token scheme', { authorization: `Token ${matrix.valid}` }, ''],
  ['a bare token without Bearer', { authorization: matrix.valid }, ''],
  ['Basic credentials', { authorization: `Basic ${Buffer.from('user:pass').toString('base64')}` }, ''],
  ['Bearer with no token', { authorization: 'Bearer ' }, ''],
];

for (const [name, headers, query] of malformed) {
  t.test(`answers ${name} with invalid_request`, async (t) => {
    up.requests.length = 0;
    const r = await post(headers, query);
    t.equal(r.status, 401);
    t.match(parseChallenge(r.challenge), { resource_metadata: metadataUrl, error: 'invalid_request', error_description: /Authorization header/ }, String(r.challenge));
    t.match(r.body, { error: 'invalid_request' });
    t.equal(up.requests.length, 0, 'the upstream was not called');
  });
}

t.test('a valid token in the query string next to a bad header does not count', async (t) => {
  up.requests.length = 0;
  const r = await post({ authorization: `Bearer ${matrix.forgeries.expired.token}` }, `?access_token=${matrix.valid}`);
  t.equal(r.status, 401);
  t.equal(up.requests.length, 0);
});

t.test('rejects a token issued (iat) beyond the clock tolerance in the future', async (t) => {
  up.requests.length = 0;
  const now = Math.floor(Date.now() / 1000);
  const future = await signAccessToken(as, { audience: resource, claims: { iat: now + 3600, exp: now + 7200 } });
  const r = await post({ authorization: `Bearer ${future}` });
  t.equal(r.status, 401);
  t.match(parseChallenge(r.challenge), { error: 'invalid_token', error_description: /issued in the future/ }, String(r.challenge));
  t.equal(up.requests.length, 0, 'the upstream was not called');
  const skewed = await signAccessToken(as, { audience: resource, claims: { iat: now + 20, exp: now + 300 } });
  t.equal((await post({ authorization: `Bearer ${skewed}` })).status, 200, 'within the default 30 s clock tolerance: accepted');
});

t.test('answers two comma-joined credentials with 400 invalid_request', async (t) => {
  up.requests.length = 0;
  const r = await post({ authorization: `Bearer ${matrix.valid}, Bearer ${matrix.forgeries.expired.token}` });
  t.equal(r.status, 400, 'RFC 6750 §3.1');
  t.match(parseChallenge(r.challenge), { error: 'invalid_request', error_description: /exactly one Authorization header/ }, String(r.challenge));
  t.match(r.body, { error: 'invalid_request' });
  t.equal(up.requests.length, 0);
});

t.test('answers two Authorization headers with 400 invalid_request, whichever comes first', async (t) => {
  up.requests.length = 0;
  for (const pair of [
    [matrix.valid, matrix.forgeries.expired.token],
    [matrix.forgeries.expired.token, matrix.valid],
  ]) {
    // Raw header lines (Host too: node refuses a request without one), Authorization twice; node's
    // server keeps only the first in req.headers.
    const headers = ['host', new URL(resource).host, 'content-type', 'application/json', 'accept', 'application/json, text/event-stream', ...pair.flatMap((x) => ['authorization', `Bearer ${x}`])];
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(resource, { method: 'POST', headers }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(JSON.stringify(call));
    });
    t.equal(status, 400);
  }
  t.equal(up.requests.length, 0, 'neither token reached the upstream');
});
