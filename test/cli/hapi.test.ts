import t, { type Test } from 'tap';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { startDemoApi } from '../../src/demo/api.js';
import { cli, repoRoot, serve, type Served } from '../helpers/cli.js';
import { startAuthServer, type AuthServer } from '../helpers/oidc.js';
import { connectClient, firstText } from '../helpers/sidecar.js';

// HAPI's WorkOS guide, as a new user runs it: `hapi serve demo -f "api.yaml" --headless` and
// `hapi serve https://…/demo.yaml -f "api.yaml" --headless`, with mcp-sidecar in place of hapi, against a
// real authorization server (oidc-provider, configured like AuthKit) and the demo Tasks API. No config file:
// OAuth and CORS come from the layered spec alone. (`--port 0` is the one addition: tests run in parallel.)

const as = await startAuthServer({ scopes: ['tasks:read', 'tasks:write'] });
t.teardown(() => as.close());
const api = await startDemoApi();
t.teardown(() => new Promise((r) => api.server.close(r)));

const dir = mkdtempSync(path.join(tmpdir(), 'mcp-sidecar-hapi-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

/** The demo spec as served from a URL: its servers entry is the running demo API. */
const demoSpec = parse(readFileSync(path.join(repoRoot, 'config/demo-openapi.yaml'), 'utf8')) as Record<string, unknown>;
demoSpec.servers = [{ url: api.url }];
const specHost = createServer((req, res) => {
  if (req.url !== '/apis/openapi/demo.yaml') return void res.writeHead(404).end();
  res.writeHead(200, { 'content-type': 'application/yaml' }).end(stringify(demoSpec));
});
await new Promise<void>((r) => specHost.listen(0, '127.0.0.1', r));
t.teardown(() => new Promise((r) => specHost.close(r)));
const demoUrl = `http://127.0.0.1:${(specHost.address() as AddressInfo).port}/apis/openapi/demo.yaml`;

const scheme = (as: AuthServer) => ({
  type: 'oauth2',
  flows: { authorizationCode: { authorizationUrl: as.authorizationEndpoint, tokenUrl: as.tokenEndpoint, scopes: { 'tasks:read': 'Read tasks', 'tasks:write': 'Change tasks' } } },
});

/** HAPI's own security file for the guide (examples/api-to-mcp.yaml), pointed at the test AS. */
const hapiSecurityFile = {
  apiVersion: 'mcp.com.ai/v1',
  kind: 'Security',
  metadata: { name: 'hapi-security-config', namespace: 'demo' },
  spec: {
    cors: { enabled: true, origin: ['http://localhost:6274'], headers: ['Content-Type', 'Authorization', 'X-Requested-With'], methods: ['GET', 'POST', 'OPTIONS'] },
    security: { demo_auth: { client_id: as.publicClient.clientId } },
    securitySchemes: { demo_auth: scheme(as) },
  },
};

/**
 * The first form's api.yaml as the issue reads it: the user's own spec, extended with an OAuth2 scheme
 * (client ID, authorization and token URLs), a requirement and CORS — deleting a task needs tasks:write.
 */
const paths = structuredClone(demoSpec.paths) as Record<string, Record<string, Record<string, unknown>>>;
paths['/tasks/{taskId}']!.delete!.security = [{ demo_auth: ['tasks:write'] }];
const extendedSpec = {
  ...demoSpec,
  paths,
  security: [{ demo_auth: ['tasks:read'] }],
  components: { ...(demoSpec.components as object), securitySchemes: { demo_auth: { ...scheme(as), 'x-client-id': as.publicClient.clientId } } },
  'x-hapi': { cors: { enabled: true, origin: ['http://localhost:6274'] } },
};

const guide = path.join(dir, 'guide');
mkdirSync(guide);
writeFileSync(path.join(guide, 'api.yaml'), stringify(extendedSpec));
const hapiDir = path.join(dir, 'hapi-form');
mkdirSync(hapiDir);
writeFileSync(path.join(hapiDir, 'api.yaml'), stringify(hapiSecurityFile));

/** The checks every secured form must pass: 401 with resource_metadata, metadata naming the AS, tools with a token. */
async function checkSecured(t: Test, s: Served, opts: { readOnly: boolean }) {
  const resource = `${s.url}/mcp`;
  const refused = await fetch(resource, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  t.equal(refused.status, 401, 'no token: 401');
  const challenge = refused.headers.get('www-authenticate') ?? '';
  t.match(challenge, `resource_metadata="${s.url}/.well-known/oauth-protected-resource/mcp"`, 'the challenge names the metadata');

  const prm = (await (await fetch(`${s.url}/.well-known/oauth-protected-resource/mcp`)).json()) as Record<string, unknown>;
  t.same(prm.authorization_servers, [as.issuer], 'the metadata names the authorization server found from the spec');
  t.equal(prm.resource, resource);
  t.equal(prm.client_id, as.publicClient.clientId, 'the client ID is published for clients that cannot register');
  t.match(s.stderr(), `${resource} is protected by the authorization server ${as.issuer} (from the spec's oauth2 scheme \\"demo_auth\\")`, 'one start line says who protects the endpoint');

  const token = await as.mintToken({ resource, scope: 'tasks:read' });
  const client = await connectClient(t, resource, { headers: { authorization: `Bearer ${token}` } });
  const names = (await client.listTools()).tools.map((x) => x.name);
  t.ok(names.includes('listTasks'), 'tools with a valid token');
  if (opts.readOnly) t.notOk(names.includes('deleteTask'), "deleteTask needs tasks:write, which the token lacks: the requirement's scopes are enforced");
  const result = await client.callTool({ name: 'listTasks', arguments: {} });
  t.notOk(result.isError, `a call reaches the demo API: ${firstText(result).slice(0, 60)}`);
  t.match(firstText(result), 'Try mcp-sidecar');

  const wrongAudience = await as.mintToken({ resource: 'http://127.0.0.1:1/other', scope: 'tasks:read' });
  const res = await fetch(resource, { method: 'POST', headers: { authorization: `Bearer ${wrongAudience}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{}' });
  t.equal(res.status, 401, 'a token for another resource is refused');

  const preflight = await fetch(resource, { method: 'OPTIONS', headers: { origin: 'http://localhost:6274', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' } });
  t.equal(preflight.headers.get('access-control-allow-origin'), 'http://localhost:6274', "the spec's CORS origin may call it");
  const other = await fetch(resource, { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
  t.not(other.headers.get('access-control-allow-origin'), 'http://evil.example', 'other origins may not');
}

t.test('`serve demo -f "api.yaml" --headless`: NAME is not a spec, so api.yaml is the spec and demo its name', async (t) => {
  const s = await serve(t, ['serve', 'demo', '-f', 'api.yaml', '--headless', '--port', '0'], {}, { cwd: guide });
  t.match(s.stderr(), '(demo: 7 tools', 'the server is named demo');
  await checkSecured(t, s, { readOnly: true });
});

t.test('`serve <url>/demo.yaml -f "api.yaml" --headless`: HAPI\'s security file layered on a spec from a URL', async (t) => {
  const s = await serve(t, ['serve', demoUrl, '-f', 'api.yaml', '--headless', '--port', '0'], {}, { cwd: hapiDir });
  await checkSecured(t, s, { readOnly: false });
});

t.test("`serve demo -f api.yaml` with HAPI's security file: the spec is HAPI's project file $HAPI_HOME/specs/demo.yaml", async (t) => {
  const home = path.join(dir, 'hapi-home');
  mkdirSync(path.join(home, 'specs'), { recursive: true });
  writeFileSync(path.join(home, 'specs', 'demo.yaml'), stringify(demoSpec));
  const s = await serve(t, ['serve', 'demo', '-f', 'api.yaml', '--headless', '--port', '0'], { HAPI_HOME: home }, { cwd: hapiDir });
  await checkSecured(t, s, { readOnly: false });
});

t.test('without -f the same spec is served open, and the start line says so', async (t) => {
  const s = await serve(t, ['serve', demoUrl, '--headless', '--port', '0']);
  t.match(s.stderr(), `${s.url}/mcp has no auth: anyone who can reach it can call its tools`);
  const res = await fetch(`${s.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
  t.equal(res.status, 200);
});

t.test('validate shows the overlays applied and who protects the endpoint; tools needs no authorization server', async (t) => {
  const v = await cli(['validate', demoUrl, '-f', path.join(hapiDir, 'api.yaml')]);
  t.equal(v.code, 0, v.stdout + v.stderr);
  t.match(v.stdout, `default (/mcp): 7 tools from 7 operations in ${demoUrl} + api.yaml`);
  t.match(v.stdout, `/mcp is protected by the authorization server ${as.issuer} (from the spec's oauth2 scheme "demo_auth"); clients that cannot register use client ID ${as.publicClient.clientId}`);

  // The same security file pointed at an authorization server that is not there: serve refuses, tools still lists.
  const gone = path.join(dir, 'gone.yaml');
  const deadScheme = { type: 'oauth2', flows: { authorizationCode: { authorizationUrl: 'http://127.0.0.1:1/oauth2/authorize', tokenUrl: 'http://127.0.0.1:1/oauth2/token', scopes: {} } } };
  writeFileSync(gone, stringify({ ...hapiSecurityFile, spec: { ...hapiSecurityFile.spec, securitySchemes: { demo_auth: deadScheme } } }));
  const tools = await cli(['tools', demoUrl, '-f', gone]);
  t.equal(tools.code, 0, tools.stdout + tools.stderr);
  t.match(tools.stdout, `default /mcp: ${demoUrl} + gone.yaml`);
  t.match(tools.stdout, /listTasks\s+GET\s+\/tasks/);
  const refused = await cli(['validate', demoUrl, '-f', gone]);
  t.equal(refused.code, 1, 'validate, like serve, will not pass a spec that asks for OAuth nobody can give');
  t.match(refused.stdout + refused.stderr, `the spec's oauth2 scheme "demo_auth" secures this server, but no authorization server metadata was found`);
});
