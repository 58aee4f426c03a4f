import t, { type Test } from 'tap';
import { DEFAULT_ORG_ID, startAuthServer } from '../helpers/oidc.js';
import { connectClient, firstText, spec30, startTestSidecar } from '../helpers/sidecar.js';
import { signAccessToken } from '../helpers/tokens.js';
import { startUpstream, type RecordedRequest } from '../helpers/upstream.js';

// What the upstream learns about the caller: the configured identity headers with the token's claims,
// never the client's token (unless insecureForwardToken), and no way to spoof an identity header through
// a tool argument or a header sent to the sidecar. Through the real SDK client.

const as = await startAuthServer();
t.teardown(() => as.close());
const up = await startUpstream();
t.teardown(() => up.close());

const ok = { '200': { description: 'ok' } };
const api = spec30({
  '/me': {
    get: {
      operationId: 'whoAmI',
      parameters: [
        // The API's own way to say who calls: it must not become a tool argument.
        { name: 'X-User-Id', in: 'header', schema: { type: 'string' } },
        { name: 'X-Trace', in: 'header', schema: { type: 'string' } },
      ],
      responses: ok,
    },
  },
  '/orgs/current': { get: { operationId: 'currentOrg', parameters: [{ name: 'x-org-id', in: 'header', required: true, schema: { type: 'string' } }], responses: ok } },
});
const identityHeaders = { 'X-User-Id': 'sub', 'X-Org-Id': 'org_id', 'X-Client': 'client_id' };
const server = (path: string, extra: object = {}, auth: object = {}) => ({
  path,
  spec: './api.json',
  upstream: { baseUrl: up.url, headers: { 'X-Api-Key': 'static-upstream-credential' } },
  auth: { provider: 'oidc', issuer: as.issuer, identityHeaders, ...auth },
  ...extra,
});
const sidecar = await startTestSidecar(t, {
  config: {
    reload: { watch: false },
    servers: [server('/mcp'), server('/mcp/forward', {}, { insecureForwardToken: true }), server('/mcp/session', { sessions: 'stateful' })],
  },
  files: { 'api.json': api },
});

/** Every token handed to the sidecar in this file, to look for in what the upstream received. */
const issued: string[] = [];
async function tokenFor(path: string, subject = 'user_01ADA', claims: Record<string, unknown> = {}): Promise<string> {
  const token = await signAccessToken(as, { audience: `${sidecar.url}${path}`, subject, claims });
  issued.push(token);
  return token;
}

const connect = (t: Test, path: string, token: string, headers: Record<string, string> = {}) =>
  connectClient(t, `${sidecar.url}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } });

/** Calls a tool that must succeed; returns the one request the upstream got for it. */
async function upstreamGot(t: Test, client: Awaited<ReturnType<typeof connect>>, name: string, args: Record<string, unknown>): Promise<RecordedRequest> {
  const start = up.requests.length;
  const result = await client.callTool({ name, arguments: args });
  t.notOk(result.isError, `${name} succeeded: ${firstText(result).slice(0, 100)}`);
  t.equal(up.requests.length - start, 1, 'the upstream got one request');
  return up.requests.at(-1)!;
}

const carriesToken = (req: RecordedRequest, token: string) => JSON.stringify(req.headers).includes(token) || req.url.includes(token) || req.body.toString('utf8').includes(token);

t.test('the upstream gets the identity headers with the token claims, and not the token', async (t) => {
  const token = await tokenFor('/mcp');
  const client = await connect(t, '/mcp', token);
  const req = await upstreamGot(t, client, 'whoAmI', { 'X-Trace': 'trace-1' });
  t.match(req.headers, { 'x-user-id': 'user_01ADA', 'x-org-id': DEFAULT_ORG_ID, 'x-client': as.publicClient.clientId, 'x-trace': 'trace-1', 'x-api-key': 'static-upstream-credential' });
  t.notOk('authorization' in req.headers, 'no Authorization header');
  t.notOk(carriesToken(req, token), 'the token is nowhere in the request');
});

t.test('each caller is named by its own token', async (t) => {
  const grace = await connect(t, '/mcp', await tokenFor('/mcp', 'user_01GRACE', { org_id: 'org_01OTHER', client_id: 'client_01OTHER' }));
  t.match((await upstreamGot(t, grace, 'whoAmI', {})).headers, { 'x-user-id': 'user_01GRACE', 'x-org-id': 'org_01OTHER', 'x-client': 'client_01OTHER' });
  const noOrg = await connect(t, '/mcp', await tokenFor('/mcp', 'user_01SOLO', { org_id: undefined }));
  const req = await upstreamGot(t, noOrg, 'whoAmI', {});
  t.equal(req.headers['x-user-id'], 'user_01SOLO');
  t.notOk('x-org-id' in req.headers, 'a claim the token lacks sends no header (not "undefined")');
});

t.test('a spec header parameter with an identity header name is not a tool argument', async (t) => {
  const client = await connect(t, '/mcp', await tokenFor('/mcp'));
  const { tools } = await client.listTools();
  const props = (name: string) => Object.keys((tools.find((x) => x.name === name)!.inputSchema as { properties?: object }).properties ?? {}).map((k) => k.toLowerCase());
  t.notOk(props('whoAmI').includes('x-user-id'), 'X-User-Id is not in the input schema');
  t.ok(props('whoAmI').includes('x-trace'), 'other declared headers still are');
  t.notOk(props('currentOrg').includes('x-org-id'), 'header names match case-insensitively');
});

t.test('a client cannot spoof an identity header, by argument or by a header sent to the sidecar', async (t) => {
  const client = await connect(t, '/mcp', await tokenFor('/mcp'), { 'X-User-Id': 'user_01ATTACKER', 'X-Org-Id': 'org_01ATTACKER' });
  for (const [name, args] of [
    ['whoAmI', { 'X-User-Id': 'user_01ATTACKER' }],
    ['whoAmI', { 'x-user-id': 'user_01ATTACKER' }],
    ['currentOrg', { 'x-org-id': 'org_01ATTACKER' }],
  ] as const) {
    const start = up.requests.length;
    const outcome = await client.callTool({ name, arguments: args }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const sent = up.requests.slice(start);
    if (sent.length === 0) t.match(outcome, { code: -32602 }, `${name} ${JSON.stringify(args)}: refused as an unknown argument, nothing sent`);
    else t.match(sent, [{ headers: { 'x-user-id': 'user_01ADA', 'x-org-id': DEFAULT_ORG_ID } }], `${name} ${JSON.stringify(args)}: the argument was ignored`);
  }
  t.match((await upstreamGot(t, client, 'currentOrg', {})).headers, { 'x-org-id': DEFAULT_ORG_ID }, 'the identity header fills the required header parameter');
  const req = await upstreamGot(t, client, 'whoAmI', {});
  t.match(req.headers, { 'x-user-id': 'user_01ADA', 'x-org-id': DEFAULT_ORG_ID }, 'headers the client sent to the sidecar are not passed on');
});

t.test('stateful sessions set the identity headers too, and never pass the token', async (t) => {
  const token = await tokenFor('/mcp/session', 'user_01SESSION');
  const client = await connect(t, '/mcp/session', token, { 'X-User-Id': 'user_01ATTACKER' });
  const req = await upstreamGot(t, client, 'whoAmI', {});
  t.match(req.headers, { 'x-user-id': 'user_01SESSION', 'x-org-id': DEFAULT_ORG_ID });
  t.notOk('authorization' in req.headers);
  t.notOk(carriesToken(req, token));
});

// Runs before the insecureForwardToken test: every request the upstream has recorded so far.
t.test('no request the upstream received carried an Authorization header or any token', async (t) => {
  t.ok(up.requests.length >= 6, `${up.requests.length} requests recorded`);
  t.ok(issued.length >= 5, `${issued.length} tokens used`);
  for (const [i, req] of up.requests.entries()) {
    t.notOk('authorization' in req.headers, `request ${i}: no Authorization`);
    t.notOk(
      issued.some((tok) => carriesToken(req, tok)),
      `request ${i}: no token appears in it`,
    );
  }
});

t.test('insecureForwardToken: true forwards the client token as it came', async (t) => {
  const token = await tokenFor('/mcp/forward');
  const client = await connect(t, '/mcp/forward', token);
  const req = await upstreamGot(t, client, 'whoAmI', {});
  t.equal(req.headers.authorization, `Bearer ${token}`);
  t.match(req.headers, { 'x-user-id': 'user_01ADA', 'x-api-key': 'static-upstream-credential' }, 'with the identity headers and static credentials');
});
