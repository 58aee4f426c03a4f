import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import type { JWK } from 'jose';
import { request } from 'undici';
import { generateSigningKey, publicJwkOf } from '../helpers/oidc.js';
import { spec30, startTestSidecar } from '../helpers/sidecar.js';
import { signAccessToken } from '../helpers/tokens.js';
import { startUpstream } from '../helpers/upstream.js';

// The verified-token cache and the JWKS cache, against an issuer whose keys the test controls: a token
// is verified once and then served from the cache until it expires; a rotated key is picked up by one
// refetch, at most one per 30 s cooldown. The subtests run in order and share the clock and the keys.
// Time moves by shifting the clock (Date.now and new Date(), what jose and the token cache read) instead of
// sleeping; this file's process is its own, so the shift reaches nothing else.

const RealDate = Date;
let offsetMs = 0;
class ShiftedDate extends RealDate {
  constructor(...args: unknown[]) {
    if (args.length === 0) super(RealDate.now() + offsetMs);
    else super(...(args as [number]));
  }

  static override now(): number {
    return RealDate.now() + offsetMs;
  }
}
globalThis.Date = ShiftedDate as DateConstructor;
t.teardown(() => {
  globalThis.Date = RealDate;
});
const advance = (seconds: number) => {
  offsetMs += seconds * 1000;
};

const [keyA, keyB, keyC] = await Promise.all([generateSigningKey(), generateSigningKey(), generateSigningKey()]);
let published: JWK[] = [keyA!];
let fetches = 0;
const issuerServer = createServer((req, res) => {
  if (req.url === '/keys') {
    fetches += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published.map(publicJwkOf) }));
    return;
  }
  res.writeHead(404).end();
});
await new Promise<void>((resolve) => issuerServer.listen(0, '127.0.0.1', resolve));
t.teardown(() => new Promise<void>((resolve) => issuerServer.close(() => resolve())));
const issuer = `http://127.0.0.1:${(issuerServer.address() as AddressInfo).port}`;

const up = await startUpstream();
t.teardown(() => up.close());
const sidecar = await startTestSidecar(t, {
  config: {
    reload: { watch: false },
    servers: [{ path: '/mcp', spec: './api.json', upstream: { baseUrl: up.url }, auth: { provider: 'oidc', issuer, jwksUri: `${issuer}/keys`, clockTolerance: '30s' } }],
  },
  files: { 'api.json': spec30({ '/pets': { get: { operationId: 'listPets', responses: { '200': { description: 'ok' } } } } }) },
});
const resource = `${sidecar.url}/mcp`;
const tokenSignedBy = (key: JWK, ttl = 300) => signAccessToken({ issuer, privateJwk: key }, { audience: resource, ttl });

async function list(token: string) {
  const res = await request(resource, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  await res.body.dump();
  const challenge = res.headers['www-authenticate'];
  return { status: res.statusCode, error: typeof challenge === 'string' ? /error_description="([^"]*)"/.exec(challenge)?.[1] : undefined };
}

const tokenA = await tokenSignedBy(keyA!);
const tokenB = await tokenSignedBy(keyB!);

t.test('the JWKS is fetched once and a token is verified once for many requests', async (t) => {
  for (let i = 0; i < 5; i++) t.equal((await list(tokenA)).status, 200, `request ${i + 1}`);
  t.equal(fetches, 1, 'one JWKS fetch');
});

t.test('a new kid within the 30 s cooldown is refused without hammering the JWKS', async (t) => {
  published = [keyB!];
  for (let i = 0; i < 3; i++) {
    const r = await list(tokenB);
    t.equal(r.status, 401);
    t.match(r.error, /key the issuer does not publish/);
  }
  t.equal(fetches, 1, 'no refetch during the cooldown');
});

t.test('after the cooldown, one refetch picks up the rotated key', async (t) => {
  advance(31);
  t.equal((await list(tokenB)).status, 200, 'a token signed with the new key is accepted');
  t.equal(fetches, 2, 'one refetch');
  t.equal((await list(tokenB)).status, 200);
  t.equal(fetches, 2);
});

t.test('a verified token is served from the cache even after its key left the JWKS', async (t) => {
  t.equal((await list(tokenA)).status, 200, 'the first token still works: it is not verified again');
  const freshA = await tokenSignedBy(keyA!);
  const r = await list(freshA);
  t.equal(r.status, 401, 'a new token signed with the retired key is refused: so the first one came from the cache');
  t.match(r.error, /key the issuer does not publish/);
  t.equal(fetches, 2);
});

t.test('unknown kids cause at most one refetch per cooldown', async (t) => {
  advance(31);
  const before = fetches;
  for (let i = 0; i < 4; i++) {
    const stranger = await signAccessToken({ issuer, privateJwk: { ...keyC!, kid: `unknown-${i}` } }, { audience: resource });
    t.equal((await list(stranger)).status, 401);
  }
  t.equal(fetches - before, 1, 'four unknown kids, one refetch');
});

t.test('a cached token stops working when it expires', async (t) => {
  const short = await tokenSignedBy(keyB!, 60);
  t.equal((await list(short)).status, 200, 'verified and cached');
  advance(60 + 31);
  const r = await list(short);
  t.equal(r.status, 401, 'expired past the clock tolerance: the cache does not outlive the token');
  t.match(r.error, /expired/);
  t.equal((await list(await tokenSignedBy(keyB!))).status, 200, 'a fresh token works');
});
