import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import type { JWK } from 'jose';
import { LRUCache } from 'lru-cache';
import { request } from 'undici';
import { AuditLog, Discovery, JwksRegistry, type AuthError, type JwksFailure, type Principal } from '../../src/auth/index.js';
import { createVerifier } from '../../src/auth/verify.js';
import type { AuthConfig } from '../../src/config/types.js';
import { startSidecar } from '../../src/sidecar.js';
import pino from '../../src/util/pino.js';
import { generateSigningKey, publicJwkOf } from '../helpers/oidc.js';
import { signAccessToken } from '../helpers/tokens.js';
import { startUpstream } from '../helpers/upstream.js';

// While the issuer's JWKS endpoint fails, tokens that need its keys are refused at once with
// jwks_unavailable (503 + Retry-After at the HTTP edge), and the endpoint is tried again only after a
// cooldown: 20 tokens with unknown kids cause one fetch, not 20. Fetches are counted at a real endpoint.

const key = await generateSigningKey();
const stranger = await generateSigningKey();

/** A JWKS endpoint whose behaviour the test switches: `fail` answers 500, else the key set. */
async function startJwks(): Promise<{ url: string; hits: () => number; fail: (on: boolean) => void; server: Server }> {
  let hits = 0;
  let failing = true;
  const server = createServer((_req, res) => {
    hits++;
    if (failing) res.writeHead(500).end('oops');
    else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [publicJwkOf(key)] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/keys`, hits: () => hits, fail: (on) => (failing = on), server };
}

/** Accepts TCP connections and drops them at once (a JWKS host that is there but never answers). */
async function startDropper(): Promise<{ url: string; hits: () => number; server: NetServer }> {
  let hits = 0;
  const server = createNetServer((socket) => {
    hits++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/keys`, hits: () => hits, server };
}

const ISSUER = 'https://issuer.example';
const AUDIENCE = 'https://mcp.example/mcp';
const authConfig = (jwksUri: string, provider: 'oidc' | 'workos' = 'oidc', issuer = ISSUER): AuthConfig => ({
  provider,
  issuer,
  jwksUri,
  resource: AUDIENCE,
  additionalAudiences: [],
  algorithms: ['RS256'],
  clockToleranceSec: 30,
  scopesClaim: 'scope',
  scopesSupported: undefined,
  requiredScopes: [],
  toolScopes: {},
  specScopes: false,
  policy: { emailDomains: [], orgIds: [], claims: {} },
  userinfo: false,
  identityHeaders: {},
  insecureForwardToken: false,
  clientId: undefined,
  dynamicClientRegistration: true,
  asMetadata: undefined,
});

function verifierFor(jwksUri: string, now: () => number, failures: JwksFailure[] = []) {
  const jwks = new JwksRegistry({ now, onFailure: (f) => failures.push(f) });
  return createVerifier(authConfig(jwksUri), () => [AUDIENCE], { jwks, discovery: new Discovery(), cache: new LRUCache<string, Principal>({ max: 100 }) });
}

const tokenWithKid = (kid: string, jwk: JWK = stranger) => signAccessToken({ issuer: ISSUER, privateJwk: { ...jwk, kid } }, { audience: AUDIENCE });

async function refusal(p: Promise<unknown>): Promise<AuthError> {
  try {
    await p;
  } catch (err) {
    return err as AuthError;
  }
  throw new Error('the token was accepted');
}

t.test('20 tokens with unknown kids while the JWKS answers 500: one fetch, 20 jwks_unavailable', async (t) => {
  const jwks = await startJwks();
  let clock = 1_000_000;
  const failures: JwksFailure[] = [];
  const verify = verifierFor(jwks.url, () => clock, failures);
  for (let i = 0; i < 20; i++) {
    const err = await refusal(verify(await tokenWithKid(`kid-${i}`)));
    t.equal(err.reason, 'jwks_unavailable', `token ${i}`);
    t.equal(err.code, 'AUTH_UNAVAILABLE');
    t.ok(err.retryAfterSec !== undefined && err.retryAfterSec >= 1 && err.retryAfterSec <= 30, `retry after ${err.retryAfterSec} s`);
  }
  t.equal(jwks.hits(), 1, 'one fetch for twenty tokens');
  t.equal(failures.length, 1, 'reported once');
  t.match(failures[0], { uri: jwks.url, reason: 'HTTP 500', retryAfterSec: 30 });

  clock += 10_000;
  t.equal((await refusal(verify(await tokenWithKid('later')))).retryAfterSec, 20, 'Retry-After counts down with the clock');
  t.equal(jwks.hits(), 1);

  clock += 21_000;
  t.equal((await refusal(verify(await tokenWithKid('after-cooldown')))).reason, 'jwks_unavailable');
  t.equal(jwks.hits(), 2, 'after the cooldown, one new attempt');
  t.equal(failures.length, 2);

  jwks.fail(false);
  clock += 31_000;
  const ok = await verify(await signAccessToken({ issuer: ISSUER, privateJwk: key }, { audience: AUDIENCE }));
  t.equal(ok.sub, 'user_01TESTUSER', 'the endpoint is back: a token signed with its key verifies');
  t.equal(jwks.hits(), 3);
  const unknown = await refusal(verify(await tokenWithKid('still-unknown')));
  t.equal(unknown.reason, 'unknown_key', 'with the keys in hand, an unknown kid is the token’s fault again');
});

t.test('a JWKS host that drops connections is tried once per cooldown too', async (t) => {
  const dropper = await startDropper();
  let clock = 5_000_000;
  const verify = verifierFor(dropper.url, () => clock);
  for (let i = 0; i < 20; i++) t.equal((await refusal(verify(await tokenWithKid(`k${i}`)))).reason, 'jwks_unavailable');
  t.equal(dropper.hits(), 1, 'one connection for twenty tokens');
  clock += 30_000;
  await refusal(verify(await tokenWithKid('next')));
  t.equal(dropper.hits(), 2);
});

t.test('keys already fetched keep working while the endpoint fails', async (t) => {
  const jwks = await startJwks();
  jwks.fail(false);
  const clock = 9_000_000;
  const verify = verifierFor(jwks.url, () => clock);
  await verify(await signAccessToken({ issuer: ISSUER, privateJwk: key }, { audience: AUDIENCE }));
  jwks.fail(true);
  t.equal((await verify(await signAccessToken({ issuer: ISSUER, privateJwk: key }, { audience: AUDIENCE }))).sub, 'user_01TESTUSER', 'a fresh token with the known kid needs no fetch');
  t.equal(jwks.hits(), 1);
});

// -- at the HTTP edge, through a running sidecar --

async function startLoggedSidecar(t: Test, config: object) {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcp-sidecar-jwks-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'api.json'), JSON.stringify({ openapi: '3.0.3', info: { title: 'T', version: '1' }, paths: { '/pets': { get: { operationId: 'listPets', responses: { '200': { description: 'ok' } } } } } }));
  writeFileSync(path.join(dir, 'config.yaml'), JSON.stringify(config));
  const lines: { level: string; msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(l) as { level: string; msg: string });
      done();
    },
  });
  const log = pino({ level: 'warn', formatters: { level: (label) => ({ level: label }) } }, sink);
  const sidecar = await startSidecar({ configFile: path.join(dir, 'config.yaml'), port: 0, host: '127.0.0.1', log, audit: new AuditLog({ enabled: false, file: undefined }) });
  t.teardown(() => sidecar.close(1000));
  return { sidecar, lines };
}

t.test('the sidecar answers 503 with Retry-After, logs one warning and counts the failure', async (t) => {
  const jwks = await startJwks();
  const up = await startUpstream();
  t.teardown(() => up.close());
  const issuer = new URL(jwks.url).origin;
  const { sidecar, lines } = await startLoggedSidecar(t, {
    reload: { watch: false },
    servers: [
      { path: '/mcp', spec: './api.json', upstream: { baseUrl: up.url }, auth: { provider: 'oidc', issuer, jwksUri: jwks.url } },
      // The workos preset takes <issuer>/oauth2/jwks, failing here like every path of that server.
      { path: '/mcp/workos', spec: './api.json', upstream: { baseUrl: up.url }, auth: { provider: 'workos', issuer } },
    ],
  });
  const post = async (url: string, token: string) => {
    const res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    return { status: res.statusCode, headers: res.headers, body: (await res.body.json()) as Record<string, unknown> };
  };
  const url = `${sidecar.url}/mcp`;
  for (let i = 0; i < 20; i++) {
    const token = await signAccessToken({ issuer, privateJwk: { ...stranger, kid: `kid-${i}` } }, { audience: url });
    const r = await post(url, token);
    t.equal(r.status, 503, `request ${i}: not the client's fault`);
    const retry = Number(r.headers['retry-after']);
    t.ok(retry >= 1 && retry <= 30, `Retry-After: ${r.headers['retry-after']}`);
    t.notOk(r.headers['www-authenticate'], 'no challenge: the token is not called invalid');
    t.match(r.body, { error: 'temporarily_unavailable' });
  }
  t.equal(jwks.hits(), 1, 'one fetch for twenty requests');
  const warnings = lines.filter((l) => l.level === 'warn' && /cannot fetch the issuer's keys/.test(l.msg));
  t.equal(warnings.length, 1, 'one warning per cooldown');
  t.match(warnings[0]?.msg, /HTTP 500/);

  const wurl = `${sidecar.url}/mcp/workos`;
  const w = await post(wurl, await signAccessToken({ issuer, privateJwk: key }, { audience: wurl }));
  t.equal(w.status, 503);
  const workos = lines.filter((l) => l.level === 'warn' && l.msg.includes('/oauth2/jwks'));
  t.equal(workos.length, 1);
  t.match(workos[0]?.msg, /HTTP 500.*workos provider .*never falls back to discovery.*auth\.jwksUri/);

  const metrics = await (await request(`${sidecar.url}/metrics`)).body.text();
  t.match(metrics, /^mcp_sidecar_jwks_fetch_failures_total 2$/m, 'two failed fetches (one per JWKS URI)');
  t.match(metrics, /^mcp_sidecar_auth_failures_total\{server="default",reason="jwks_unavailable"\} 20$/m, 'twenty refused requests');
});
