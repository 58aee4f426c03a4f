import t from 'tap';
import { startAuthServer } from '../helpers/oidc.js';
import { spec30, startTestSidecar } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';

// cacheScope of a 2026-07-28 tools/list with a real authorization server: `private` when scopes filter the
// list (a shared cache must not hand one caller's list to another), `public` when every caller sees the same.
const as = await startAuthServer({ scopes: ['pets:write'] });
t.teardown(() => as.close());
const up = await startUpstream();
t.teardown(() => up.close());
const ok = { '200': { description: 'ok' } };
const api = spec30({ '/pets': { get: { operationId: 'listPets', responses: ok }, post: { operationId: 'createPet', responses: ok } } });
const auth = { provider: 'oidc', issuer: as.issuer };
const sidecar = await startTestSidecar(t, {
  config: {
    reload: { watch: false },
    servers: [
      { path: '/scoped', spec: './api.json', upstream: { baseUrl: up.url }, auth: { ...auth, toolScopes: { createPet: ['pets:write'] } } },
      { path: '/open', spec: './api.json', upstream: { baseUrl: up.url }, auth },
    ],
  },
  files: { 'api.json': api },
});

async function list(path: string, scope: string) {
  const resource = `${sidecar.url}${path}`;
  const token = await as.mintToken({ resource, scope });
  const res = await fetch(resource, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}`, 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} } } }),
  });
  const body = (await res.json()) as { result: { cacheScope: string; ttlMs: number; tools: { name: string }[] } };
  return { status: res.status, ...body.result, names: body.result.tools.map((x) => x.name).sort() };
}

t.test('a list that scopes filter is private, whoever asks', async (t) => {
  const without = await list('/scoped', '');
  t.same(without.names, ['listPets']);
  t.equal(without.cacheScope, 'private');
  const withScope = await list('/scoped', 'pets:write');
  t.same(withScope.names, ['createPet', 'listPets']);
  t.equal(withScope.cacheScope, 'private', 'even a caller who sees every tool got a list chosen by its scopes');
  t.equal(withScope.ttlMs, 60_000, 'the default ttl');
});

t.test('a list every caller sees whole is public, even behind auth', async (t) => {
  const r = await list('/open', '');
  t.same(r.names, ['createPet', 'listPets']);
  t.equal(r.cacheScope, 'public');
});
