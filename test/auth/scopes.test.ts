import t from 'tap';
import { request } from 'undici';
import { startAuthServer } from '../helpers/oidc.js';
import { connectClient, spec30, startTestSidecar } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';

// Scopes with real client_credentials tokens: the server's requiredScopes (403 step-up), per-tool scopes
// from the config (toolScopes) and from the spec's own oauth2 security requirements (hidden from
// tools/list, 403 insufficient_scope naming the tool's scopes on tools/call).

const as = await startAuthServer({ scopes: ['tools:read', 'pets:write', 'pets:admin'] });
t.teardown(() => as.close());
const up = await startUpstream();
t.teardown(() => up.close());

const ok = { '200': { description: 'ok' } };
const id = [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }];
const api = spec30(
  {
    '/pets': {
      get: { operationId: 'listPets', responses: ok },
      post: { operationId: 'createPet', security: [{ oauth: ['pets:write'] }], responses: ok },
    },
    '/pets/{id}': {
      // The config's toolScopes win over the spec's requirement.
      delete: { operationId: 'deletePet', parameters: id, security: [{ oauth: ['pets:write'] }], responses: ok },
      // Public in the spec: an empty requirement alternative means no scopes.
      get: { operationId: 'getPet', parameters: id, security: [{ oauth: ['pets:write'] }, {}], responses: ok },
    },
  },
  { components: { securitySchemes: { oauth: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: `${as.tokenEndpoint}`, scopes: { 'pets:write': 'change pets' } } } } } } },
);
const sidecar = await startTestSidecar(t, {
  config: {
    reload: { watch: false },
    servers: [
      {
        path: '/mcp',
        spec: './api.json',
        upstream: { baseUrl: up.url },
        auth: { provider: 'oidc', issuer: as.issuer, requiredScopes: ['tools:read'], toolScopes: { deletePet: ['pets:admin'] } },
      },
      {
        path: '/mcp/session',
        sessions: 'stateful',
        spec: './api.json',
        upstream: { baseUrl: up.url },
        auth: { provider: 'oidc', issuer: as.issuer, requiredScopes: ['tools:read'], toolScopes: { deletePet: ['pets:admin'] } },
      },
    ],
  },
  files: { 'api.json': api },
});
const resource = `${sidecar.url}/mcp`;
const metadataUrl = `${sidecar.url}/.well-known/oauth-protected-resource/mcp`;
const tokenWith = (scope: string) => as.mintToken({ resource, scope });

async function rpc(token: string, method: string, params?: object) {
  const res = await request(resource, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, ...(params ? { params } : {}) }),
  });
  const text = await res.body.text();
  const header = res.headers['www-authenticate'];
  return { status: res.statusCode, challenge: typeof header === 'string' ? header : '', body: text ? (JSON.parse(text) as Record<string, any>) : {} };
}

function challengeOf(header: string): Record<string, string> {
  return Object.fromEntries([...header.matchAll(/([a-z_]+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
}

const toolNames = async (token: string) => {
  const r = await rpc(token, 'tools/list');
  return (r.body.result.tools as { name: string }[]).map((x) => x.name).sort();
};
const callPet = (token: string, name: string) => rpc(token, 'tools/call', { name, arguments: name === 'listPets' || name === 'createPet' ? {} : { id: 'rex' } });

t.test('publishes every scope of the config and the spec', async (t) => {
  const res = await request(metadataUrl);
  t.same(((await res.body.json()) as { scopes_supported: string[] }).scopes_supported.sort(), ['pets:admin', 'pets:write', 'tools:read']);
});

t.test('a token without the required scopes gets 403 insufficient_scope naming them', async (t) => {
  up.requests.length = 0;
  const token = await tokenWith('pets:write pets:admin');
  for (const [method, params] of [['tools/list', undefined], ['tools/call', { name: 'listPets', arguments: {} }]] as const) {
    const r = await rpc(token, method, params);
    t.equal(r.status, 403, method);
    t.match(challengeOf(r.challenge), { resource_metadata: metadataUrl, error: 'insufficient_scope', scope: 'tools:read' }, r.challenge);
    t.match(r.body, { error: 'insufficient_scope', error_description: /tools:read/ });
  }
  t.equal(up.requests.length, 0, 'the upstream was not called');
});

t.test('tools whose scopes the token lacks are hidden from tools/list', async (t) => {
  t.same(await toolNames(await tokenWith('tools:read')), ['getPet', 'listPets'], 'only the tools that need no scope');
  t.same(await toolNames(await tokenWith('tools:read pets:write')), ['createPet', 'getPet', 'listPets'], 'the spec scope unlocks createPet');
  t.same(await toolNames(await tokenWith('tools:read pets:admin')), ['deletePet', 'getPet', 'listPets'], 'toolScopes replace the spec requirement of deletePet');
  t.same(await toolNames(await tokenWith('tools:read pets:write pets:admin')), ['createPet', 'deletePet', 'getPet', 'listPets']);
});

t.test('calling a hidden tool gets 403 insufficient_scope naming its scopes (step-up)', async (t) => {
  up.requests.length = 0;
  const token = await tokenWith('tools:read');
  const cases: [string, string][] = [
    ['createPet', 'tools:read pets:write'],
    ['deletePet', 'tools:read pets:admin'],
  ];
  for (const [tool, scope] of cases) {
    const r = await callPet(token, tool);
    t.equal(r.status, 403, tool);
    t.match(challengeOf(r.challenge), { resource_metadata: metadataUrl, error: 'insufficient_scope', scope }, r.challenge);
    t.match(r.body, { error: 'insufficient_scope', error_description: new RegExp(`${tool} needs the scopes: ${scope}`) });
  }
  const admin = await callPet(await tokenWith('tools:read pets:write'), 'deletePet');
  t.equal(admin.status, 403, 'pets:write is not enough for deletePet: toolScopes win');
  t.match(challengeOf(admin.challenge), { scope: 'tools:read pets:admin' });
  t.equal(up.requests.length, 0, 'the upstream was not called');
});

t.test('with the scopes, the same calls reach the upstream', async (t) => {
  up.requests.length = 0;
  const token = await tokenWith('tools:read pets:write pets:admin');
  for (const tool of ['listPets', 'getPet', 'createPet', 'deletePet']) {
    const r = await callPet(token, tool);
    t.equal(r.status, 200, tool);
    t.notOk(r.body.result?.isError, `${tool} succeeded`);
  }
  t.same(
    up.requests.map((r) => `${r.method} ${r.url}`),
    ['GET /pets', 'GET /pets/rex', 'POST /pets', 'DELETE /pets/rex'],
  );
});

t.test('a token with only the required scope still calls the public tools', async (t) => {
  up.requests.length = 0;
  const r = await callPet(await tokenWith('tools:read'), 'getPet');
  t.equal(r.status, 200);
  t.equal(up.requests.length, 1);
});

t.test('stateful sessions hide the same tools and answer a hidden tool with 403 step-up', async (t) => {
  const url = `${sidecar.url}/mcp/session`;
  const token = await as.mintToken({ resource: url, scope: 'tools:read' });
  const client = await connectClient(t, url, { headers: { authorization: `Bearer ${token}` } });
  t.same((await client.listTools()).tools.map((x) => x.name).sort(), ['getPet', 'listPets']);
  up.requests.length = 0;
  const err = await client.callTool({ name: 'createPet', arguments: {} }).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.equal(up.requests.length, 0, 'the upstream was not called');
  t.match(err, { code: 403, message: /insufficient_scope/ }, `HTTP 403 insufficient_scope as on the stateless path, got: ${String(err)}`);
});
