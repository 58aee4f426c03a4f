import t from 'tap';
import { request } from 'undici';
import { startAuthServer } from '../helpers/oidc.js';
import { spec30, startTestSidecar } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';

// OAuth discovery as an MCP client walks it (RFC 9728, RFC 8414): the sidecar's metadata documents,
// readable without a token from any origin, pointing at a real oidc-provider authorization server.

const as = await startAuthServer({ scopes: ['tools:read', 'pets:write'] });
t.teardown(() => as.close());
const up = await startUpstream();
t.teardown(() => up.close());
// An "authorization server" that publishes no metadata at all: every discovery URL answers 404.
const bare = await startUpstream((_req, res) => {
  res.writeHead(404);
  res.end();
});
t.teardown(() => bare.close());

const ok = { '200': { description: 'ok' } };
const api = spec30(
  {
    '/pets': {
      get: { operationId: 'listPets', responses: ok },
      post: { operationId: 'createPet', security: [{ oauth: ['pets:write'] }], responses: ok },
    },
  },
  {
    info: { title: 'Pet Store', version: '1.0.0' },
    components: {
      securitySchemes: {
        oauth: { type: 'oauth2', flows: { authorizationCode: { authorizationUrl: 'https://spec.example/authorize', tokenUrl: 'https://spec.example/token', scopes: { 'pets:write': 'write', 'pets:read': 'read' } } } },
      },
    },
  },
);
const server = (path: string, auth: object) => ({ path, spec: './api.json', upstream: { baseUrl: up.url }, auth: { provider: 'oidc', issuer: as.issuer, ...auth } });
const sidecar = await startTestSidecar(t, {
  config: {
    reload: { watch: false },
    servers: [
      server('/mcp', { requiredScopes: ['tools:read'] }),
      server('/mcp/noreg', { dynamicClientRegistration: false, clientId: as.publicClient.clientId }),
      server('/mcp/bare', { issuer: bare.url, authorizationServerMetadata: { authorizationEndpoint: 'https://login.example/authorize', tokenEndpoint: 'https://login.example/token', registrationEndpoint: 'https://login.example/register' } }),
      server('/mcp/bare-noreg', {
        issuer: bare.url,
        dynamicClientRegistration: false,
        authorizationServerMetadata: { authorizationEndpoint: 'https://login.example/authorize', tokenEndpoint: 'https://login.example/token', registrationEndpoint: 'https://login.example/register' },
      }),
    ],
  },
  files: { 'api.json': api },
});
const PRM = '/.well-known/oauth-protected-resource';
const ASM = '/.well-known/oauth-authorization-server';

async function get(path: string, headers: Record<string, string> = {}, method: 'GET' | 'OPTIONS' = 'GET') {
  const res = await request(`${sidecar.url}${path}`, { method, headers });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

const expectedPrm = {
  resource: `${sidecar.url}/mcp`,
  authorization_servers: [as.issuer],
  scopes_supported: ['tools:read', 'pets:write', 'pets:read'],
  bearer_methods_supported: ['header'],
  resource_name: 'Pet Store',
};

t.test('serves the protected-resource metadata of /mcp without a token', async (t) => {
  const r = await get(`${PRM}/mcp`);
  t.equal(r.status, 200);
  t.match(r.headers['content-type'], /^application\/json/);
  t.same(r.body, expectedPrm, 'resource, the AS, every scope of the config and the spec, header bearer only, the spec title');
});

t.test('serves the same document at the root for the default /mcp server', async (t) => {
  const r = await get(PRM);
  t.equal(r.status, 200);
  t.same(r.body, expectedPrm);
});

t.test('serves each server its own metadata under its path', async (t) => {
  const r = await get(`${PRM}/mcp/noreg`);
  t.equal(r.status, 200);
  t.match(r.body, { resource: `${sidecar.url}/mcp/noreg`, authorization_servers: [as.issuer], bearer_methods_supported: ['header'] });
  t.equal((await get(`${PRM}/mcp/nothing-here`)).status, 404, 'no server, no metadata');
});

t.test('the 401 challenge of /mcp points at its metadata document', async (t) => {
  const res = await request(`${sidecar.url}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  await res.body.dump();
  t.equal(res.statusCode, 401);
  const challenge = String(res.headers['www-authenticate']);
  const metadata = /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
  t.equal(metadata, `${sidecar.url}${PRM}/mcp`);
  t.match(challenge, /scope="tools:read"/, 'names the required scopes');
  const doc = await request(metadata!);
  t.same(await doc.body.json(), expectedPrm, 'the URL in the challenge serves the document');
});

t.test('the metadata documents are open to any origin, preflight included', async (t) => {
  for (const origin of ['https://inspector.example', 'http://localhost:6274']) {
    for (const path of [`${PRM}/mcp`, PRM, `${ASM}/mcp/bare`]) {
      const r = await get(path, { origin });
      t.equal(r.status, 200, `${path} from ${origin}`);
      t.ok(['*', origin].includes(String(r.headers['access-control-allow-origin'])), `${path}: Access-Control-Allow-Origin for ${origin}`);
      const pre = await get(path, { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'mcp-protocol-version' }, 'OPTIONS');
      t.equal(pre.status, 204, `${path}: preflight answered`);
      t.ok(['*', origin].includes(String(pre.headers['access-control-allow-origin'])), `${path}: preflight allows ${origin}`);
      t.match(String(pre.headers['access-control-allow-methods']), /\bGET\b/);
      t.match(String(pre.headers['access-control-allow-headers']).toLowerCase(), /mcp-protocol-version/);
    }
  }
});

t.test('serves no copy of the metadata of an authorization server that publishes its own', async (t) => {
  for (const path of [ASM, `${ASM}/mcp`, `${ASM}/mcp/noreg`]) {
    const r = await get(path);
    t.equal(r.status, 404, path);
    t.match(r.body, { error: 'not_found', message: /served only when the authorization server publishes none/ });
  }
  const prm = await get(`${PRM}/mcp`);
  t.same((prm.body as { authorization_servers: string[] }).authorization_servers, [as.issuer], 'clients are sent to the AS itself');
  const own = await request(as.metadataUrl);
  t.match(await own.body.json(), { issuer: as.issuer, registration_endpoint: as.registrationEndpoint }, 'where the AS serves it');
});

t.test('leaves the registration endpoint out of the metadata it serves when dynamicClientRegistration is false', async (t) => {
  const r = await get(`${ASM}/mcp/bare-noreg`);
  t.equal(r.status, 200);
  t.match(r.body, { authorization_endpoint: 'https://login.example/authorize', token_endpoint: 'https://login.example/token' });
  t.notOk(r.body && 'registration_endpoint' in r.body, 'no registration_endpoint');
});

t.test('serves configured AS metadata and names itself when the AS publishes none', async (t) => {
  const prm = await get(`${PRM}/mcp/bare`);
  t.equal(prm.status, 200);
  t.same((prm.body as { authorization_servers: string[] }).authorization_servers, [sidecar.url], 'the sidecar is where clients find the AS metadata');
  const asm = await get(`${ASM}/mcp/bare`);
  t.equal(asm.status, 200);
  t.match(asm.body, {
    authorization_endpoint: 'https://login.example/authorize',
    token_endpoint: 'https://login.example/token',
    registration_endpoint: 'https://login.example/register',
    code_challenge_methods_supported: ['S256'],
  });
});
