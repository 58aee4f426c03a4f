import t from 'tap';
import { MAX_NESTING, tooDeep } from '../../src/runtime/validators.js';
import { connectClient, firstText, spec30, startTestSidecar } from '../helpers/sidecar.js';
import { echo, startUpstream } from '../helpers/upstream.js';

// Arguments nested thousands of levels deep are refused with -32602 naming the argument, before ajv or
// any serialiser recurses into them (which overflowed the stack: -32603 Internal error).

const nestObject = (n: number, leaf = '1') => '{"a":'.repeat(n) + leaf + '}'.repeat(n);
const nestArray = (n: number) => '['.repeat(n) + '1' + ']'.repeat(n);

t.test('tooDeep names the first argument nested past the limit, at any depth, without recursion', async (t) => {
  const cases: [string, unknown, string | undefined][] = [
    ['flat', { a: 1, b: 'x' }, undefined],
    ['3 levels', { a: JSON.parse(nestObject(3)) }, undefined],
    ['4 levels', { a: JSON.parse(nestObject(4)) }, 'a'],
    ['the second argument', { ok: [[1]], deep: JSON.parse(nestArray(4)) }, 'deep'],
    ['200,000 levels', { a: JSON.parse(nestObject(200_000)) }, 'a'],
    ['an array', [1, JSON.parse(nestArray(9))], '1'],
    ['an own __proto__ key', JSON.parse(`{"__proto__":${nestObject(5)}}`), '__proto__'],
    ['a string', 'text', undefined],
    ['null', null, undefined],
  ];
  for (const [what, value, field] of cases) t.equal(tooDeep(value, 3), field, what);
});

// The upstream answers /deep/<n> with a JSON object nested n levels deep, anything else with an echo.
const up = await startUpstream((req, res) => {
  const m = /^\/deep\/(\d+)$/.exec(req.url);
  if (!m) return echo(req, res);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(nestObject(Number(m[1])));
});
t.teardown(() => up.close());
const ok = { '200': { description: 'ok' } };
const sidecar = await startTestSidecar(t, {
  config: {
    reload: { watch: false },
    servers: [
      { path: '/mcp', spec: './api.json', upstream: { baseUrl: up.url } },
      { path: '/s', spec: './api.json', sessions: 'stateful', upstream: { baseUrl: up.url } },
    ],
  },
  files: {
    'api.json': spec30({
      '/body': { post: { operationId: 'postBody', requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { data: {} } } } } }, responses: ok } },
      '/search': { get: { operationId: 'search', parameters: [{ name: 'filter', in: 'query', style: 'deepObject', explode: true, schema: { type: 'object' } }], responses: ok } },
      '/deep/{n}': { get: { operationId: 'getDeep', parameters: [{ name: 'n', in: 'path', required: true, schema: { type: 'integer' } }], responses: ok } },
      '/form': { post: { operationId: 'postForm', requestBody: { content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', properties: { meta: { type: 'object' } } } } } }, responses: ok } },
    }),
  },
});

async function callRaw(tool: string, args: string) {
  const body = `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"${tool}","arguments":${args}}}`;
  const res = await fetch(`${sidecar.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body });
  return { status: res.status, json: (await res.json()) as { id: number; result?: { isError?: boolean }; error?: { code: number; message: string; data?: { errors: { field: string }[] } } } };
}

for (const [tool, field, value, what] of [
  ['postBody', 'data', nestObject(5000), 'a JSON body field 5,000 objects deep'],
  ['postBody', 'data', nestArray(5000), 'a JSON body field 5,000 arrays deep'],
  ['search', 'filter', nestObject(2000), 'a deepObject query value 2,000 levels deep'],
  ['postForm', 'meta', nestObject(2000), 'a form field 2,000 levels deep'],
] as const) {
  t.test(`${what} is -32602 naming the field, and nothing is sent`, async (t) => {
    up.requests.length = 0;
    const r = await callRaw(tool, `{"${field}":${value}}`);
    t.equal(r.status, 200);
    t.equal(r.json.id, 7);
    t.equal(r.json.error?.code, -32602, r.json.error?.message ?? 'no error');
    t.equal(r.json.error?.message, `Invalid arguments for tool ${tool}: ${field}: is nested more than ${MAX_NESTING} levels deep`);
    t.same(r.json.error?.data?.errors.map((e) => e.field), [field]);
    t.equal(up.requests.length, 0, 'the upstream received nothing');
  });
}

t.test(`arguments nested exactly ${MAX_NESTING} levels deep are still sent`, async (t) => {
  for (const [tool, field] of [['postBody', 'data'], ['search', 'filter'], ['postForm', 'meta']] as const) {
    up.requests.length = 0;
    const r = await callRaw(tool, `{"${field}":${nestObject(MAX_NESTING)}}`);
    t.notOk(r.json.error, `${tool}: ${r.json.error?.message ?? 'no error'}`);
    t.notOk(r.json.result?.isError, tool);
    t.equal(up.requests.length, 1, `${tool} reached the upstream`);
  }
});

t.test('deep nesting elsewhere in a JSON-RPC request does not break the envelope handling', async (t) => {
  const bodies = [
    `{"jsonrpc":"2.0","id":1,"method":"ping","params":${nestObject(50_000)}}`,
    `{"jsonrpc":"2.0","id":1,"method":"ping","extra":${nestArray(50_000)}}`,
    `{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":${nestObject(50_000)}}}`,
    `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":${nestObject(50_000)}}}`,
    `{"jsonrpc":"2.0","id":${nestArray(50_000)},"method":"ping"}`,
    `[${nestArray(50_000)}]`,
  ];
  for (const body of bodies) {
    const res = await fetch(`${sidecar.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body });
    t.ok(res.status < 500, `${body.slice(0, 50)}… → ${res.status}`);
    const json = (await res.json()) as { jsonrpc: string; error?: { code: number } };
    t.equal(json.jsonrpc, '2.0');
    if (json.error) t.not(json.error.code, -32603, 'not an internal error');
  }
});

t.test('an upstream JSON response nested thousands of levels deep reaches a stateful client as text', async (t) => {
  const client = await connectClient(t, `${sidecar.url}/s`);
  for (const n of [MAX_NESTING, 5000]) {
    // Before, the SDK transport failed to write the deep structuredContent and the client never got an answer.
    const res = (await client.callTool({ name: 'getDeep', arguments: { n } }, undefined, { timeout: 8000 })) as { structuredContent?: unknown; isError?: boolean };
    t.notOk(res.isError, `${n} levels: a success`);
    t.equal(firstText(res).length, nestObject(n).length, `${n} levels: the whole body as text`);
    t.equal(res.structuredContent !== undefined, n <= MAX_NESTING, `${n} levels: structuredContent only within the limit`);
  }
});
