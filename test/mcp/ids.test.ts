import t from 'tap';
import { scanIdTokens, unrepresentableIdProblem, type JsonRpcMessage } from '../../src/mcp/protocol.js';
import { spec30, startTestSidecar } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';

// Numeric ids JSON.parse cannot keep exactly are refused with -32600, not answered with an id the client
// cannot match; every id it can keep is answered as sent.

const problemOf = (text: string) => unrepresentableIdProblem((([] as unknown[]).concat(JSON.parse(text)) as JsonRpcMessage[]), text);

t.test('scanIdTokens reads each message’s own id token, skipping ids nested in params', async (t) => {
  const cases: [string, (string | undefined)[]][] = [
    ['{"jsonrpc":"2.0","id":1e400,"method":"ping"}', ['1e400']],
    ['{"params":{"id":5,"x":{"id":6}},"id" : -12.5E+3,"method":"ping"}', ['-12.5E+3']],
    ['{"method":"a\\"id\\":7","id":"str"}', [undefined]],
    ['[{"id":1},{"method":"n"},{"x":[{"id":2}],"id":9007199254740993}]', ['1', undefined, '9007199254740993']],
    ['{"\\u0069d":42,"method":"ping"}', ['42']],
    ['{"id":1,"id":2}', ['2']],
  ];
  for (const [text, ids] of cases) t.same(scanIdTokens(text), ids, text);
});

t.test('unrepresentableIdProblem flags only ids that did not survive parsing', async (t) => {
  const bad = ['1e400', '-1e400', '9007199254740993', '-9007199254740993', '9007199254740992.5', '18446744073709551617', '9.007199254740993e15'];
  const good = ['1', '9007199254740991', '9007199254740992', '9007199254740994', '1e20', '100000000000000000000', '1.5', '2.50', '-0', '"9007199254740993"'];
  for (const id of bad) t.match(problemOf(`{"jsonrpc":"2.0","id":${id},"method":"ping"}`), `id ${id} cannot be represented exactly`, id);
  for (const id of good) t.equal(problemOf(`{"jsonrpc":"2.0","id":${id},"method":"ping"}`), undefined, id);
  t.match(problemOf('[{"jsonrpc":"2.0","id":1,"method":"ping","params":{"id":1e400}},{"jsonrpc":"2.0","id":9007199254740993,"method":"ping"}]'), 'id 9007199254740993', 'the second message of a batch');
});

const up = await startUpstream();
t.teardown(() => up.close());
const sidecar = await startTestSidecar(t, {
  config: { reload: { watch: false }, servers: [{ path: '/mcp', spec: './api.json', upstream: { baseUrl: up.url } }] },
  files: { 'api.json': spec30({}) },
});
const post = async (body: string) => {
  const res = await fetch(`${sidecar.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body });
  const text = await res.text();
  return { status: res.status, text, json: JSON.parse(text) as { id: unknown; error?: { code: number; message: string }; result?: unknown } };
};

t.test('an id of 1e400 or beyond 2^53 over HTTP is 400 with -32600 naming the id', async (t) => {
  for (const id of ['1e400', '9007199254740993', '-9007199254740993']) {
    const r = await post(`{"jsonrpc":"2.0","id":${id},"method":"ping"}`);
    t.equal(r.status, 400, id);
    t.same(r.json, { jsonrpc: '2.0', id: null, error: { code: -32600, message: `Invalid Request: id ${id} cannot be represented exactly; use a string or an integer within ±(2^53 - 1)` } }, id);
  }
  const batch = await post('[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":1e400,"method":"ping"}]');
  t.equal(batch.status, 400, 'a batch holding one such id');
  t.equal(batch.json.error?.code, -32600);
});

t.test('ids that survive parsing are answered exactly as sent', async (t) => {
  for (const id of ['9007199254740991', '9007199254740992', '1e20', '1.5', '"9007199254740993"']) {
    const r = await post(`{"jsonrpc":"2.0","id":${id},"method":"ping"}`);
    t.equal(r.status, 200, id);
    t.same(r.json.result, {}, id);
    t.equal(r.json.id, JSON.parse(id), id);
  }
});
