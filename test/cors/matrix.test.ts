import t from 'tap';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { spec30, startTestSidecar } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';

// CORS and Host checks over raw HTTP, table-driven: what a browser would be told for each origin.

const up = await startUpstream();
t.teardown(() => up.close());
const op = { '/ping': { get: { operationId: 'ping', responses: { '200': { description: 'ok', content: { 'application/json': { schema: { type: 'object' } } } } } } } };

const sidecar = await startTestSidecar(t, {
  config: {
    reload: { watch: false },
    allowedHosts: ['127.0.0.1', 'mcp.example.com', '*.internal.example'],
    cors: { allowedOrigins: ['https://app.example.com', 'https://*.example.org', 'http://localhost:*'], allowCredentials: false, maxAge: '5m' },
    servers: [
      { name: 'global', path: '/mcp/global', spec: './api.yaml', upstream: { baseUrl: up.url } },
      { name: 'own', path: '/mcp/own', spec: './api.yaml', upstream: { baseUrl: up.url }, cors: { allowedOrigins: ['*'], allowCredentials: true, maxAge: '1m' } },
      { name: 'anyone', path: '/mcp/anyone', spec: './api.yaml', upstream: { baseUrl: up.url }, cors: { allowedOrigins: ['*'] } },
      { name: 'closed', path: '/mcp/closed', spec: './api.yaml', upstream: { baseUrl: up.url }, cors: { allowedOrigins: [] } },
      // An issuer nothing listens on: a preflight must not need it.
      { name: 'secured', path: '/mcp/secured', spec: './api.yaml', upstream: { baseUrl: up.url }, auth: { provider: 'oidc', issuer: 'http://127.0.0.1:9/', jwksUri: 'http://127.0.0.1:9/jwks' } },
    ],
  },
  files: { 'api.yaml': spec30(op) },
});
const port = Number(new URL(sidecar.url).port);

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** node:http, so Host and Origin are exactly what the test says. */
function send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, ...headers }, timeout: 5000 }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 5 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

const preflight = (path: string, origin: string, extra: Record<string, string> = {}) =>
  send('OPTIONS', path, { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, mcp-protocol-version', ...extra });

const ping = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
const post = (path: string, headers: Record<string, string>) => send('POST', path, { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, ping);

const corsHeaders = (h: IncomingHttpHeaders) => Object.keys(h).filter((k) => k.startsWith('access-control-'));
const list = (v: string | string[] | undefined) => String(v ?? '').split(',').map((x) => x.trim().toLowerCase()).filter(Boolean);

// Origin → allowed by the global policy [https://app.example.com, https://*.example.org, http://localhost:*]?
const ORIGINS: [origin: string, allowed: boolean, why: string][] = [
  ['https://app.example.com', true, 'the exact origin'],
  ['https://app.example.com:8443', false, 'the exact origin on another port'],
  ['http://app.example.com', false, 'the exact origin over http'],
  ['https://other.example.com', false, 'a sibling of the exact origin'],
  ['https://a.example.org', true, 'one subdomain label under the wildcard'],
  ['https://a.b.example.org', true, 'two subdomain labels under the wildcard'],
  ['https://example.org', false, 'the wildcard domain itself'],
  ['https://a.example.org:8443', false, 'a wildcard subdomain on a port the pattern does not name'],
  ['http://a.example.org', false, 'a wildcard subdomain over http'],
  ['https://evil.com/.example.org', false, 'a path that ends like the wildcard domain'],
  ['https://a.example.org.evil.com', false, 'the wildcard domain as a prefix of another'],
  ['https://evilexample.org', false, 'a domain that merely ends in the same letters'],
  ['https://evil.com', false, 'an unrelated origin'],
  ['http://localhost:5173', true, 'localhost on any port'],
  ['http://localhost', true, 'localhost without a port'],
  ['https://localhost:5173', false, 'localhost over https'],
  ['http://localhost.evil.com:5173', false, 'a host that starts with localhost'],
  ['http://localhost:5173.evil.com', false, 'a port followed by more host'],
  ['null', false, 'the opaque origin "null"'],
];

const MCP_REQUEST_HEADERS = ['authorization', 'content-type', 'mcp-session-id', 'mcp-protocol-version', 'last-event-id'];

t.test('a preflight from an allowed origin is 204 with the CORS grant, and from any other origin 403 without CORS headers', async (t) => {
  for (const [origin, allowed, why] of ORIGINS) {
    const r = await preflight('/mcp/global', origin);
    if (!allowed) {
      t.equal(r.status, 403, `${why} (${origin}): 403`);
      t.same(corsHeaders(r.headers), [], `${why}: no access-control-* headers`);
      t.match(r.body, /cors\.allowedOrigins/, `${why}: the body says why`);
      continue;
    }
    t.equal(r.status, 204, `${why} (${origin}): 204`);
    t.equal(r.headers['access-control-allow-origin'], origin, `${why}: the origin is echoed`);
    t.ok(list(r.headers.vary).includes('origin'), `${why}: Vary: Origin`);
    t.ok(list(r.headers['access-control-allow-methods']).includes('post'), `${why}: POST allowed`);
    for (const h of MCP_REQUEST_HEADERS) t.ok(list(r.headers['access-control-allow-headers']).includes(h), `${why}: ${h} allowed`);
    t.equal(r.headers['access-control-max-age'], '300', `${why}: maxAge 5m is 300 s`);
    t.equal(r.headers['access-control-allow-credentials'], undefined, `${why}: no credentials`);
  }
});

t.test('a POST from an allowed origin gets its answer with the origin and the exposed headers, and from any other origin 403', async (t) => {
  for (const [origin, allowed, why] of ORIGINS) {
    const r = await post('/mcp/global', { origin });
    if (!allowed) {
      t.equal(r.status, 403, `${why} (${origin}): 403`);
      t.same(corsHeaders(r.headers), [], `${why}: no access-control-* headers`);
      continue;
    }
    t.equal(r.status, 200, `${why} (${origin}): 200`);
    t.match(JSON.parse(r.body), { jsonrpc: '2.0', id: 1, result: {} }, `${why}: the ping answer`);
    t.equal(r.headers['access-control-allow-origin'], origin, `${why}: the origin is echoed`);
    t.ok(list(r.headers.vary).includes('origin'), `${why}: Vary: Origin`);
    const exposed = list(r.headers['access-control-expose-headers']);
    t.ok(exposed.includes('mcp-session-id') && exposed.includes('www-authenticate'), `${why}: Mcp-Session-Id and WWW-Authenticate exposed (${exposed})`);
  }
});

t.test('a POST without an Origin (not a browser) needs no CORS and gets none', async (t) => {
  const r = await post('/mcp/global', {});
  t.equal(r.status, 200);
  t.same(corsHeaders(r.headers), []);
});

t.test('a server with its own cors of * with credentials echoes the origin and allows credentials, instead of the global policy', async (t) => {
  for (const origin of ['https://evil.com', 'https://app.example.com', 'http://localhost:3000']) {
    const pre = await preflight('/mcp/own', origin);
    t.equal(pre.status, 204, `${origin}: preflight 204`);
    t.equal(pre.headers['access-control-allow-origin'], origin, `${origin}: echoed, never * with credentials`);
    t.equal(pre.headers['access-control-allow-credentials'], 'true');
    t.ok(list(pre.headers.vary).includes('origin'), 'Vary: Origin, since the answer depends on it');
    t.equal(pre.headers['access-control-max-age'], '60', "the server's own maxAge");
    const r = await post('/mcp/own', { origin, cookie: 'session=1' });
    t.equal(r.status, 200);
    t.equal(r.headers['access-control-allow-origin'], origin);
    t.equal(r.headers['access-control-allow-credentials'], 'true');
  }
});

t.test('a server whose cors is * without credentials answers Access-Control-Allow-Origin: * and no credentials', async (t) => {
  const pre = await preflight('/mcp/anyone', 'https://evil.com');
  t.equal(pre.status, 204);
  t.equal(pre.headers['access-control-allow-origin'], '*');
  t.equal(pre.headers['access-control-allow-credentials'], undefined);
  t.equal(pre.headers['access-control-max-age'], '600', 'the default maxAge is 10m');
  const r = await post('/mcp/anyone', { origin: 'https://evil.com' });
  t.equal(r.status, 200);
  t.equal(r.headers['access-control-allow-origin'], '*');
  t.ok(list(r.headers['access-control-expose-headers']).includes('mcp-session-id'));
});

t.test('a server whose cors allows no origin refuses every cross-origin preflight and POST, even those the global policy allows', async (t) => {
  for (const origin of ['https://app.example.com', 'https://a.example.org', 'https://evil.com']) {
    const pre = await preflight('/mcp/closed', origin);
    t.equal(pre.status, 403, `${origin}: preflight 403`);
    t.same(corsHeaders(pre.headers), []);
    t.equal((await post('/mcp/closed', { origin })).status, 403, `${origin}: POST 403`);
  }
});

t.test('a page served by the sidecar itself (Origin equal to an allowed Host) is same-origin, not cross-origin', async (t) => {
  const r = await post('/mcp/closed', { origin: `http://127.0.0.1:${port}` });
  t.equal(r.status, 200);
});

t.test('a preflight to a server with auth is answered before auth, even with the issuer unreachable', async (t) => {
  const started = Date.now();
  const pre = await preflight('/mcp/secured', 'https://app.example.com');
  t.equal(pre.status, 204);
  t.equal(pre.headers['access-control-allow-origin'], 'https://app.example.com');
  t.ok(list(pre.headers['access-control-allow-headers']).includes('authorization'), 'Authorization may be sent');
  t.equal(pre.headers['www-authenticate'], undefined, 'no challenge on a preflight');
  t.ok(Date.now() - started < 1000, 'and without waiting on the issuer');

  const denied = await preflight('/mcp/secured', 'https://evil.com');
  t.equal(denied.status, 403, 'a denied origin is still refused');
});

t.test('a POST without a token to a server with auth is 401, with CORS headers so the page can read the challenge', async (t) => {
  const r = await post('/mcp/secured', { origin: 'https://app.example.com' });
  t.equal(r.status, 401);
  t.match(r.headers['www-authenticate'], /^Bearer .*resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp\/secured"/);
  t.equal(r.headers['access-control-allow-origin'], 'https://app.example.com');
  t.ok(list(r.headers['access-control-expose-headers']).includes('www-authenticate'), 'WWW-Authenticate is exposed');

  const evil = await post('/mcp/secured', { origin: 'https://evil.com' });
  t.equal(evil.status, 403, 'a denied origin is refused before auth');
  t.equal(evil.headers['www-authenticate'], undefined);
});

t.test('the protected-resource metadata is readable from any origin, preflight included', async (t) => {
  for (const origin of ['https://evil.com', 'https://app.example.com', 'null']) {
    const pre = await send('OPTIONS', '/.well-known/oauth-protected-resource/mcp/secured', { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'mcp-protocol-version' });
    t.equal(pre.status, 204, `${origin}: preflight 204`);
    t.equal(pre.headers['access-control-allow-origin'], '*');
    t.ok(list(pre.headers['access-control-allow-headers']).includes('mcp-protocol-version'));
    const r = await send('GET', '/.well-known/oauth-protected-resource/mcp/secured', { origin });
    t.equal(r.status, 200, `${origin}: GET 200`);
    t.equal(r.headers['access-control-allow-origin'], '*');
    t.match(JSON.parse(r.body), { resource: `${sidecar.url}/mcp/secured`, bearer_methods_supported: ['header'] });
  }
});

// Host → allowed by allowedHosts [127.0.0.1, mcp.example.com, *.internal.example]?
const HOSTS: [host: string, allowed: boolean][] = [
  [`127.0.0.1:${port}`, true],
  ['mcp.example.com', true],
  ['mcp.example.com:443', true],
  ['MCP.Example.COM', true],
  ['a.internal.example', true],
  ['a.b.internal.example:8080', true],
  ['internal.example', false],
  ['evilinternal.example', false],
  ['evil.example.com', false],
  ['mcp.example.com.evil.com', false],
  ['localhost', false],
];

t.test('a Host outside allowedHosts is 403 on MCP endpoints, preflights included, while /healthz still answers', async (t) => {
  for (const [host, allowed] of HOSTS) {
    const r = await post('/mcp/global', { host });
    t.equal(r.status, allowed ? 200 : 403, `POST with Host ${host}`);
    if (!allowed) t.match(JSON.parse(r.body).error.message, `Host "${host}" is not allowed`);
    const pre = await preflight('/mcp/global', 'https://app.example.com', { host });
    t.equal(pre.status, allowed ? 204 : 403, `preflight with Host ${host}`);
    if (!allowed) t.same(corsHeaders(pre.headers), [], `no CORS grant with Host ${host}`);
    const health = await send('GET', '/healthz', { host });
    t.equal(health.status, 200, `/healthz with Host ${host}`);
  }
});
