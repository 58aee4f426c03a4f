/**
 * Self-test of the OAuth test harness (test/helpers/oidc.ts, oauth-client.ts, tokens.ts) against the real
 * oidc-provider on 127.0.0.1. A minimal protected MCP server stands in for the sidecar here (RFC 9728 metadata,
 * jose verification, the SDK's server transport) so the harness is proven without depending on src/auth.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { createRemoteJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { request } from 'undici';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { auth, discoverAuthorizationServerMetadata, exchangeAuthorization, startAuthorization, UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { DEFAULT_ACCOUNT_ID, DEFAULT_ORG_ID, startAuthServer, TEST_REDIRECT_URI, type AuthServer } from '../helpers/oidc.js';
import { AuthorizationFailedError, CookieJar, HeadlessOAuthClient } from '../helpers/oauth-client.js';
import { buildTokenMatrix, signAccessToken, strictVerifyOptions } from '../helpers/tokens.js';

const SECOND_USER = 'user_01SECOND';
const as = await startAuthServer({
  accounts: {
    [DEFAULT_ACCOUNT_ID]: { email: 'ada@example.com', email_verified: true },
    [SECOND_USER]: { email: 'grace@example.com', email_verified: false, tokenClaims: { org_id: 'org_01OTHER' } },
  },
});
t.teardown(() => as.close());
const jwks = createRemoteJWKSet(new URL(as.jwksUri));

async function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: Record<string, unknown> }> {
  const res = await request(url, { headers });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body: text ? JSON.parse(text) : {} };
}

async function postJson(url: string, body: object): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
}

/**
 * A protected MCP server on 127.0.0.1:0: RFC 9728 metadata naming `authServer`, 401 + WWW-Authenticate without
 * a valid token (jose, strict options), and a `whoami` tool that echoes the verified claims.
 */
async function startProtectedMcp(tt: Test, authServer: AuthServer) {
  const verifyKeys = createRemoteJWKSet(new URL(authServer.jwksUri));
  let resource = '';
  const prmPath = '/.well-known/oauth-protected-resource/mcp';
  const server = createServer(async (req: IncomingMessage & { auth?: AuthInfo }, res) => {
    const origin = `http://${req.headers.host}`;
    if (req.method === 'GET' && req.url === prmPath) {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ resource, authorization_servers: [authServer.issuer], scopes_supported: authServer.scopes, bearer_methods_supported: ['header'] }));
      return;
    }
    const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    let claims: JWTPayload;
    try {
      if (!token) throw new Error('no token');
      claims = (await jwtVerify(token, verifyKeys, strictVerifyOptions(authServer, resource))).payload;
    } catch {
      res.statusCode = 401;
      res.setHeader('www-authenticate', `Bearer resource_metadata="${origin}${prmPath}"`);
      res.end();
      return;
    }
    req.auth = { token, clientId: String(claims.client_id), scopes: String(claims.scope ?? '').split(' '), extra: { claims } };
    const mcp = new Server({ name: 'stand-in', version: '1.0.0' }, { capabilities: { tools: {} } });
    mcp.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [{ name: 'whoami', inputSchema: { type: 'object' } }] }));
    mcp.setRequestHandler(CallToolRequestSchema, async (_r, { authInfo }) => ({
      content: [{ type: 'text', text: JSON.stringify(authInfo?.extra?.claims) }],
    }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => void mcp.close());
    await mcp.connect(transport);
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  resource = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  tt.teardown(() => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  }));
  return { url: new URL(resource), resource };
}

/** Connects the real MCP SDK client through the OAuth dance: 401 → headless login → finishAuth → reconnect. */
async function connectWithOAuth(tt: Test, url: URL, provider: HeadlessOAuthClient): Promise<Client> {
  const first = new StreamableHTTPClientTransport(url, { authProvider: provider });
  const refused = await new Client({ name: 'harness-test', version: '1.0.0' }).connect(first).then(() => undefined, (e: unknown) => e);
  tt.type(refused, UnauthorizedError, 'the first connect is refused with 401 and needs a login');
  tt.ok(provider.authorizationCode, 'the headless login produced a code');
  await first.finishAuth(provider.authorizationCode!);
  const client = new Client({ name: 'harness-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(url, { authProvider: provider }));
  tt.teardown(() => client.close());
  return client;
}

async function whoami(client: Client): Promise<JWTPayload> {
  const result = await client.callTool({ name: 'whoami', arguments: {} });
  return JSON.parse((result.content as { type: string; text: string }[])[0]!.text) as JWTPayload;
}

t.test('serves RFC 8414 and OpenID discovery documents for an AuthKit-like server', async (t) => {
  for (const url of [as.metadataUrl, as.openidConfigurationUrl]) {
    const { status, body } = await getJson(url);
    t.equal(status, 200, url);
    t.equal(body.issuer, as.issuer);
    t.equal(body.authorization_endpoint, as.authorizationEndpoint);
    t.equal(body.token_endpoint, as.tokenEndpoint);
    t.equal(body.registration_endpoint, as.registrationEndpoint);
    t.equal(body.jwks_uri, as.jwksUri);
    t.equal(body.userinfo_endpoint, as.userinfoEndpoint);
    t.same(body.code_challenge_methods_supported, ['S256']);
    t.same(body.response_types_supported, ['code']);
    t.same(body.grant_types_supported, ['authorization_code', 'refresh_token', 'client_credentials']);
    t.ok((body.token_endpoint_auth_methods_supported as string[]).includes('none'));
    t.match(body.scopes_supported, ['openid', 'offline_access', 'tools:read', 'tools:call', 'admin']);
  }
  const keys = (await getJson(as.jwksUri)).body.keys as Record<string, unknown>[];
  t.equal(keys.length, 1);
  t.same(keys[0], { ...as.publicJwk }, 'the JWKS serves the public half of the harness key');
  t.notOk('d' in keys[0]!);
});

t.test('registers a public client by open DCR and refuses unknown scopes', async (t) => {
  const ok = await postJson(as.registrationEndpoint, {
    client_name: 'dcr test',
    redirect_uris: [TEST_REDIRECT_URI],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    scope: 'tools:read tools:call',
  });
  t.equal(ok.status, 201);
  t.type(ok.body.client_id, 'string');
  t.equal(ok.body.token_endpoint_auth_method, 'none');
  t.notOk('client_secret' in ok.body, 'a public client gets no secret');
  t.same(ok.body.redirect_uris, [TEST_REDIRECT_URI]);

  const bad = await postJson(as.registrationEndpoint, { redirect_uris: [TEST_REDIRECT_URI], token_endpoint_auth_method: 'none', scope: 'tools:read nope' });
  t.equal(bad.status, 400);
  t.equal(bad.body.error, 'invalid_client_metadata');
});

t.test('a client_credentials token is an RS256 JWT for the requested resource', async (t) => {
  const resource = 'http://127.0.0.1:65000/mcp';
  const token = await as.mintToken({ resource, scope: 'tools:read admin openid' });
  t.same(decodeProtectedHeader(token), { alg: 'RS256', typ: 'at+jwt', kid: as.kid });
  const { payload } = await jwtVerify(token, jwks, strictVerifyOptions(as, resource));
  const client = as.serviceClients[0]!.clientId;
  t.match(payload, { iss: as.issuer, aud: resource, scope: 'tools:read admin', client_id: client, sub: client, org_id: DEFAULT_ORG_ID });
  t.equal(payload.exp! - payload.iat!, 300);
  t.notOk('sid' in payload, 'a machine token has no session');

  const other = await as.mintToken({ resource: 'http://127.0.0.1:65000/other' });
  await t.rejects(jwtVerify(other, jwks, strictVerifyOptions(as, resource)), { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'aud' }, 'a real token for another resource fails on aud');
});

t.test('client_credentials refuses resources outside the allow list and a wrong secret', async (t) => {
  const restricted = await startAuthServer({ resources: ['http://127.0.0.1:65000/mcp'], serviceClients: [{ clientId: 'svc', clientSecret: 's3cret', tokenClaims: { org_id: 'org_SVC' } }], signingKey: as.privateJwk });
  t.teardown(() => restricted.close());
  const allowed = await restricted.mintToken({ resource: 'http://127.0.0.1:65000/mcp', clientId: 'svc' });
  t.match((await jwtVerify(allowed, createRemoteJWKSet(new URL(restricted.jwksUri)), strictVerifyOptions(restricted, 'http://127.0.0.1:65000/mcp'))).payload, { org_id: 'org_SVC', client_id: 'svc' });
  t.match(await restricted.requestClientCredentials({ resource: 'http://127.0.0.1:65000/elsewhere' }), { status: 400, body: { error: 'invalid_target' } });
  const res = await request(restricted.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('svc:wrong').toString('base64')}` },
    body: 'grant_type=client_credentials&resource=http%3A%2F%2F127.0.0.1%3A65000%2Fmcp',
  });
  t.equal(res.statusCode, 401);
  t.match(await res.body.json(), { error: 'invalid_client' });
});

t.test('the MCP SDK client registers by DCR, logs in headlessly and gets a JWT whose aud is the MCP resource', async (t) => {
  const mcp = await startProtectedMcp(t, as);
  const provider = new HeadlessOAuthClient();
  const client = await connectWithOAuth(t, mcp.url, provider);

  t.equal(provider.registrationCount, 1, 'registered by DCR');
  t.equal(provider.redirectCount, 1);
  const authUrl = provider.lastAuthorizationUrl!;
  t.equal(authUrl.origin + authUrl.pathname, as.authorizationEndpoint);
  t.equal(authUrl.searchParams.get('code_challenge_method'), 'S256');
  t.equal(authUrl.searchParams.get('resource'), mcp.resource);
  t.equal(provider.lastAuthorizationResponse!.iss, as.issuer, 'RFC 9207 iss in the authorization response');
  t.ok(provider.lastAuthorizationResponse!.trail.some((u) => u.pathname.startsWith('/interaction/')), 'went through the interaction');

  const accessToken = provider.tokens()!.access_token;
  const { payload } = await jwtVerify(accessToken, jwks, strictVerifyOptions(as, mcp.resource));
  t.match(payload, {
    iss: as.issuer,
    aud: mcp.resource,
    sub: DEFAULT_ACCOUNT_ID,
    client_id: provider.clientInformation()!.client_id,
    scope: 'tools:read tools:call admin',
    org_id: DEFAULT_ORG_ID,
    sid: String,
  });
  t.match(await whoami(client), { sub: DEFAULT_ACCOUNT_ID, aud: mcp.resource }, 'the protected server accepted it');
});

t.test('a pre-registered public client logs in as the login_hint user', async (t) => {
  const mcp = await startProtectedMcp(t, as);
  const provider = new HeadlessOAuthClient({ clientId: as.publicClient.clientId, issuer: as.issuer, loginHint: SECOND_USER });
  const client = await connectWithOAuth(t, mcp.url, provider);
  t.equal(provider.registrationCount, 0, 'no DCR for a pre-registered client');
  t.match(await whoami(client), { sub: SECOND_USER, client_id: as.publicClient.clientId, org_id: 'org_01OTHER', aud: mcp.resource });
});

t.test('SDK auth() with an explicit scope narrows the token scope', async (t) => {
  const mcp = await startProtectedMcp(t, as);
  const provider = new HeadlessOAuthClient({ clientId: as.publicClient.clientId });
  t.equal(await auth(provider, { serverUrl: mcp.url, scope: 'tools:read' }), 'REDIRECT');
  t.equal(await auth(provider, { serverUrl: mcp.url, authorizationCode: provider.authorizationCode! }), 'AUTHORIZED');
  const { payload } = await jwtVerify(provider.tokens()!.access_token, jwks, strictVerifyOptions(as, mcp.resource));
  t.equal(payload.scope, 'tools:read');
});

t.test('userinfo returns the email for an audience-less openid token and refuses a resource JWT', async (t) => {
  const metadata = (await discoverAuthorizationServerMetadata(as.issuer))!;
  const provider = new HeadlessOAuthClient({ clientId: as.publicClient.clientId });
  const clientInformation = { client_id: as.publicClient.clientId };
  const { authorizationUrl, codeVerifier } = await startAuthorization(as.issuer, { metadata, clientInformation, redirectUrl: TEST_REDIRECT_URI, scope: 'openid email', state: provider.state() });
  await provider.redirectToAuthorization(authorizationUrl);
  const tokens = await exchangeAuthorization(as.issuer, { metadata, clientInformation, authorizationCode: provider.authorizationCode!, codeVerifier, redirectUri: TEST_REDIRECT_URI });
  t.equal(tokens.access_token.split('.').length, 1, 'no resource → an opaque token');
  t.ok(tokens.id_token);
  const info = await getJson(as.userinfoEndpoint, { authorization: `Bearer ${tokens.access_token}` });
  t.equal(info.status, 200);
  t.same(info.body, { sub: DEFAULT_ACCOUNT_ID, email: 'ada@example.com', email_verified: true });

  const jwt = await as.mintToken({ resource: 'http://127.0.0.1:65000/mcp' });
  const refused = await getJson(as.userinfoEndpoint, { authorization: `Bearer ${jwt}` });
  t.equal(refused.status, 401);
});

t.test('the authorization endpoint requires PKCE', async (t) => {
  const provider = new HeadlessOAuthClient({ clientId: as.publicClient.clientId });
  const url = new URL(as.authorizationEndpoint);
  url.search = new URLSearchParams({ response_type: 'code', client_id: as.publicClient.clientId, redirect_uri: TEST_REDIRECT_URI, scope: 'tools:read', state: provider.state() }).toString();
  t.type(await provider.redirectToAuthorization(url).then(() => undefined, (e: unknown) => e), AuthorizationFailedError);
  t.match(provider.lastAuthorizationResponse, { error: 'invalid_request', errorDescription: /PKCE/ });
  t.equal(provider.authorizationCode, undefined);
});

t.test('the cookie jar honours Path, Max-Age and deletion', async (t) => {
  const jar = new CookieJar();
  const at = new URL('http://127.0.0.1:1/oauth2/authorize');
  jar.store(at, ['_interaction=abc; path=/interaction/uid1; httponly', '_session=s1; path=/; max-age=60', 'gone=1; path=/; max-age=0']);
  t.equal(jar.header(new URL('http://127.0.0.1:1/interaction/uid1')), '_interaction=abc; _session=s1');
  t.equal(jar.header(new URL('http://127.0.0.1:1/interaction/uid10')), '_session=s1');
  t.equal(jar.header(new URL('http://127.0.0.1:2/interaction/uid1')), undefined, 'another port is another host');
  jar.store(at, '_session=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT');
  t.equal(jar.header(new URL('http://127.0.0.1:1/')), undefined);
  t.equal(jar.size, 1);
});

t.test('each forged token fails verification for its own reason', async (t) => {
  const audience = 'http://127.0.0.1:65000/mcp';
  const matrix = await buildTokenMatrix(as, { audience });
  const options = strictVerifyOptions(as, audience);
  const { payload } = await jwtVerify(matrix.valid, jwks, options);
  t.match(payload, { iss: as.issuer, aud: audience, sub: DEFAULT_ACCOUNT_ID }, 'the control verifies');
  t.ok(await jwtVerify(await signAccessToken(as, { audience, scope: 'admin' }), jwks, options), 'signAccessToken makes verifiable tokens');

  for (const [name, forgery] of Object.entries(matrix.forgeries)) {
    t.test(`${name}: ${forgery.description}`, async (t) => {
      const err = await jwtVerify(forgery.token, jwks, options).then(
        () => undefined,
        (e: unknown) => e,
      );
      t.type(err, joseErrors.JOSEError, 'rejected by jose');
      t.equal((err as joseErrors.JOSEError).code, forgery.expect.code);
      if (forgery.expect.claim !== undefined) t.equal((err as joseErrors.JWTClaimValidationFailed).claim, forgery.expect.claim);
    });
  }
});
