import t from 'tap';
import { Discovery } from '../../src/auth/discovery.js';
import { candidateIssuers, resolveSpecAuth } from '../../src/auth/spec-auth.js';
import { isAppError } from '../../src/errors.js';
import type { SpecOAuth } from '../../src/openapi/index.js';
import { startAuthServer } from '../helpers/oidc.js';
import { spec30, startTestSidecar } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';

// The spec's oauth2 scheme → the server's auth, as HAPI users expect: the issuer found from the
// scheme's URLs (AuthKit domains recognised, else discovery), never served open when none is found.

const as = await startAuthServer();
t.teardown(() => as.close());
const oauth = (o: Partial<SpecOAuth>): SpecOAuth => ({ scheme: 'demo_auth', authorizationUrl: undefined, tokenUrl: undefined, scopes: [], clientId: undefined, wellKnown: undefined, required: true, ...o });

t.test('candidate issuers: a well-known URL names its issuer; an endpoint, each prefix of its path', async (t) => {
  const cases: [string, string[]][] = [
    ['https://a.example/.well-known/oauth-authorization-server', ['https://a.example']],
    ['https://a.example/.well-known/oauth-authorization-server/tenant', ['https://a.example/tenant']],
    ['https://a.example/realms/x/.well-known/openid-configuration', ['https://a.example/realms/x']],
    ['https://a.example/oauth2/authorize?connection=c', ['https://a.example/oauth2', 'https://a.example']],
    ['https://a.example/realms/x/protocol/openid-connect/token', ['https://a.example/realms/x/protocol/openid-connect', 'https://a.example/realms/x/protocol', 'https://a.example/realms/x', 'https://a.example/realms', 'https://a.example']],
  ];
  for (const [url, expected] of cases) t.same(candidateIssuers([new URL(url)]), expected, url);
});

t.test('a WorkOS AuthKit domain in any of the URLs is the issuer (HAPI guide: authorize at api.workos.com, token at AuthKit)', async (t) => {
  const auth = await resolveSpecAuth(
    oauth({ authorizationUrl: 'https://api.workos.com/sso/authorize?connection=conn_01', tokenUrl: 'https://acme-42.authkit.app/oauth2/token', clientId: 'client_0' }),
    new Discovery(),
  );
  t.match(auth, { provider: 'workos', issuer: 'https://acme-42.authkit.app', jwksUri: 'https://acme-42.authkit.app/oauth2/jwks', clientId: 'client_0', fromSpec: { scheme: 'demo_auth' } });
});

t.test('otherwise discovery from the endpoints finds the issuer whose metadata names them', async (t) => {
  const auth = await resolveSpecAuth(oauth({ authorizationUrl: as.authorizationEndpoint, tokenUrl: as.tokenEndpoint }), new Discovery());
  t.match(auth, { provider: 'oidc', issuer: as.issuer, clientId: undefined });
  const viaWellKnown = await resolveSpecAuth(oauth({ wellKnown: as.metadataUrl, authorizationUrl: 'https://elsewhere.example/authorize' }), new Discovery());
  t.equal(viaWellKnown.issuer, as.issuer, "HAPI's well-known URL names the AS");
});

t.test('no metadata anywhere: refused, naming the scheme and what was tried, rather than served open', async (t) => {
  const bare = await startUpstream((_req, res) => void res.writeHead(404).end());
  t.teardown(() => bare.close());
  const err = await resolveSpecAuth(oauth({ authorizationUrl: `${bare.url}/oauth/authorize` }), new Discovery()).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(isAppError(err, 'CONFIG_INVALID'));
  t.match((err as Error).message, `the spec's oauth2 scheme "demo_auth" secures this server, but no authorization server metadata was found from its URLs (tried the issuers ${bare.url}/oauth, ${bare.url})`);
});

t.test('with a config file, a spec that requires OAuth but no auth block is served open with a warning', async (t) => {
  const up = await startUpstream();
  t.teardown(() => up.close());
  const scheme = { type: 'oauth2', flows: { authorizationCode: { authorizationUrl: as.authorizationEndpoint, tokenUrl: as.tokenEndpoint, scopes: {} } } };
  const sidecar = await startTestSidecar(t, {
    config: { reload: { watch: false }, servers: [{ path: '/mcp', spec: './api.json', upstream: { baseUrl: up.url } }] },
    files: { 'api.json': spec30({ '/a': { get: { operationId: 'a', responses: { '200': { description: 'ok' } } } } }, { security: [{ demo_auth: [] }], components: { securitySchemes: { demo_auth: scheme } } }) },
  });
  const rt = sidecar.holder.current.servers.get('/mcp')!;
  t.equal(rt.auth, undefined, 'the config decides');
  t.match(rt.warnings, [/oauth2 scheme "demo_auth", but this server has no auth block: it is served without OAuth/]);
});
