import t, { type Test } from 'tap';
import { decodeJwt } from 'jose';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { HeadlessOAuthClient } from '../helpers/oauth-client.js';
import { DEFAULT_ACCOUNT_ID, DEFAULT_ORG_ID, startAuthServer } from '../helpers/oidc.js';
import { firstText, spec30, startTestSidecar } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';

// The whole MCP authorization flow with the real SDK client and its own OAuth support against a real
// oidc-provider: 401 → protected-resource metadata → AS metadata → DCR (or a pre-registered client) →
// headless login with PKCE → a JWT whose aud is the sidecar's resource → tools/list and tools/call.

const as = await startAuthServer({ scopes: ['tools:read', 'tools:call', 'pets:write'] });
t.teardown(() => as.close());
const up = await startUpstream();
t.teardown(() => up.close());
const sidecar = await startTestSidecar(t, {
  config: {
    reload: { watch: false },
    servers: [
      {
        path: '/mcp',
        spec: './api.json',
        upstream: { baseUrl: up.url },
        auth: { provider: 'oidc', issuer: as.issuer, requiredScopes: ['tools:read', 'tools:call'], toolScopes: { createPet: ['pets:write'] } },
      },
    ],
  },
  files: {
    'api.json': spec30({
      '/pets/{id}': { get: { operationId: 'getPet', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { '200': { description: 'ok' } } } },
      '/pets': { post: { operationId: 'createPet', responses: { '200': { description: 'ok' } } } },
    }),
  },
});
const resource = `${sidecar.url}/mcp`;

/** Connect → refused with 401 (the SDK discovers, registers and logs in) → finishAuth → reconnect with a new transport. */
async function connectWithOAuth(t: Test, provider: HeadlessOAuthClient): Promise<Client> {
  const first = new StreamableHTTPClientTransport(new URL(resource), { authProvider: provider });
  const refused = await new Client({ name: 'auth-flow-test', version: '1.0.0' }).connect(first).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.type(refused, UnauthorizedError, 'the first connect is refused and needs a login');
  t.ok(provider.authorizationCode, 'the headless login produced a code');
  await first.finishAuth(provider.authorizationCode!);
  const client = new Client({ name: 'auth-flow-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(resource), { authProvider: provider }));
  t.teardown(() => client.close());
  return client;
}

/** Lists and calls getPet; the upstream got exactly that call, and never the client's token. */
async function listAndCall(t: Test, client: Client, token: string): Promise<void> {
  const { tools } = await client.listTools();
  t.same(
    tools.map((x) => x.name),
    ['getPet'],
    'createPet needs pets:write, which the login did not ask for',
  );
  up.requests.length = 0;
  const result = await client.callTool({ name: 'getPet', arguments: { id: 'rex' } });
  t.notOk(result.isError, `the call succeeded: ${firstText(result).slice(0, 80)}`);
  t.equal(up.requests.length, 1, 'the upstream got the call');
  t.match(up.requests[0], { method: 'GET', url: '/pets/rex' });
  t.notOk(up.requests[0]!.headers.authorization, 'no Authorization header reaches the upstream');
  t.notOk(JSON.stringify(up.requests[0]!.headers).includes(token), 'nor the token anywhere in its headers');
}

t.test('the SDK client registers by DCR, logs in with PKCE and calls a tool with a token for the resource', async (t) => {
  const provider = new HeadlessOAuthClient();
  const client = await connectWithOAuth(t, provider);

  t.equal(provider.registrationCount, 1, 'registered by Dynamic Client Registration');
  t.equal(provider.redirectCount, 1, 'one login');
  const authUrl = provider.lastAuthorizationUrl!;
  t.equal(authUrl.origin + authUrl.pathname, as.authorizationEndpoint, 'found the AS through the sidecar metadata');
  t.equal(authUrl.searchParams.get('code_challenge_method'), 'S256', 'PKCE');
  t.ok(authUrl.searchParams.get('code_challenge'));
  t.equal(authUrl.searchParams.get('resource'), resource, 'asked for a token for the sidecar resource (RFC 8707)');
  t.equal(authUrl.searchParams.get('scope'), 'tools:read tools:call', 'asked for the scopes named in the challenge');

  const token = provider.tokens()!.access_token;
  t.match(decodeJwt(token), { iss: as.issuer, aud: resource, sub: DEFAULT_ACCOUNT_ID, org_id: DEFAULT_ORG_ID, client_id: provider.clientInformation()!.client_id });
  await listAndCall(t, client, token);
});

t.test('a pre-registered client ID logs in without registering', async (t) => {
  const provider = new HeadlessOAuthClient({ clientId: as.publicClient.clientId, issuer: as.issuer });
  const client = await connectWithOAuth(t, provider);

  t.equal(provider.registrationCount, 0, 'no registration happened');
  t.equal(provider.lastAuthorizationUrl!.searchParams.get('client_id'), as.publicClient.clientId);
  const token = provider.tokens()!.access_token;
  t.match(decodeJwt(token), { aud: resource, client_id: as.publicClient.clientId, sub: DEFAULT_ACCOUNT_ID });
  await listAndCall(t, client, token);
});

t.test('the SDK client steps up: a 403 insufficient_scope makes it log in again for the tool scopes', async (t) => {
  const provider = new HeadlessOAuthClient({ clientId: as.publicClient.clientId, issuer: as.issuer });
  const client = await connectWithOAuth(t, provider);
  t.equal(decodeJwt(provider.tokens()!.access_token).scope, 'tools:read tools:call');
  const transport = client.transport as StreamableHTTPClientTransport;

  up.requests.length = 0;
  const refused = await client.callTool({ name: 'createPet', arguments: {} }).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.type(refused, UnauthorizedError, 'the call needs a new login');
  t.equal(up.requests.length, 0, 'the upstream was not called');
  t.equal(provider.redirectCount, 2, 'a second login');
  t.equal(provider.lastAuthorizationUrl!.searchParams.get('scope'), 'tools:read tools:call pets:write', 'for the scopes named in the 403 challenge');

  await transport.finishAuth(provider.authorizationCode!);
  const token = provider.tokens()!.access_token;
  t.match(decodeJwt(token), { scope: 'tools:read tools:call pets:write', aud: resource });
  t.same((await client.listTools()).tools.map((x) => x.name).sort(), ['createPet', 'getPet'], 'the tool is listed now');
  const result = await client.callTool({ name: 'createPet', arguments: {} });
  t.notOk(result.isError);
  t.match(up.requests, [{ method: 'POST', url: '/pets' }]);
  t.notOk(up.requests[0]!.headers.authorization);
});
