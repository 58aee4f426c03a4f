import t from 'tap';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { spec30, startTestSidecar } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';

// One sidecar for the file: raw Streamable HTTP requests against the lean stateless POST path.
const upstream = await startUpstream();
t.teardown(() => upstream.close());
const sidecar = await startTestSidecar(t, {
  config: {
    reload: { watch: false },
    servers: [{ name: 'items', path: '/mcp', spec: './items.yaml', instructions: 'Look after items.', upstream: { baseUrl: upstream.url } }],
  },
  files: {
    'items.yaml': spec30({
      '/items/{id}': {
        get: {
          operationId: 'getItem',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'ok' } },
        },
      },
      '/items': {
        post: {
          operationId: 'createItem',
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } } } },
          responses: { '201': { description: 'created' } },
        },
      },
    }),
  },
});
const url = `${sidecar.url}/mcp`;

const JSON_AND_SSE = 'application/json, text/event-stream';

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed body; JSON-RPC bodies are checked field by field. */
  json: any;
}

async function post(body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: JSON_AND_SSE, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text ? (JSON.parse(text) as unknown) : undefined };
}

const request = (id: number | string, method: string, params?: object) => ({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) });
const initialize = (protocolVersion?: string) => request(1, 'initialize', { ...(protocolVersion ? { protocolVersion } : {}), capabilities: {}, clientInfo: { name: 'raw', version: '0' } });

t.test('initialize echoes a supported protocol version the client asks for', async (t) => {
  for (const v of ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05']) {
    const r = await post(initialize(v));
    t.equal(r.status, 200, v);
    t.equal(r.json.result.protocolVersion, v, v);
  }
});

t.test('initialize answers an unknown or missing protocol version with the latest one', async (t) => {
  t.equal((await post(initialize('1999-01-01'))).json.result.protocolVersion, LATEST_PROTOCOL_VERSION);
  t.equal((await post(initialize())).json.result.protocolVersion, LATEST_PROTOCOL_VERSION);
});

t.test('initialize describes the server: tools capability, identity and instructions', async (t) => {
  const r = await post(initialize('2025-06-18'));
  t.equal(r.headers.get('content-type'), 'application/json');
  t.equal(r.json.jsonrpc, '2.0');
  t.equal(r.json.id, 1);
  t.same(r.json.result.capabilities.tools, { listChanged: false }, 'stateless: no list-changed notifications');
  t.match(r.json.result.serverInfo, { name: 'mcp-sidecar/items', title: 'Test API', version: '1.0.0' });
  t.equal(r.json.result.instructions, 'Look after items.');
});

t.test('ping answers an empty result with the same id', async (t) => {
  const r = await post(request('ping-7', 'ping'));
  t.equal(r.status, 200);
  t.same(r.json, { jsonrpc: '2.0', id: 'ping-7', result: {} });
});

t.test('tools/list returns every tool with its input schema', async (t) => {
  const r = await post(request(2, 'tools/list'));
  t.equal(r.status, 200);
  const tools = r.json.result.tools as { name: string; inputSchema: { type: string; required?: string[] } }[];
  t.same(tools.map((x) => x.name).sort(), ['createItem', 'getItem']);
  t.same(tools.find((x) => x.name === 'getItem')!.inputSchema.required, ['id']);
});

t.test('tools/call reaches the upstream and returns its answer', async (t) => {
  const r = await post(request(3, 'tools/call', { name: 'getItem', arguments: { id: 'x/1' } }));
  t.equal(r.status, 200);
  t.notOk(r.json.result.isError);
  t.match(r.json.result.structuredContent, { method: 'GET', url: '/items/x%2F1' });
  t.equal(upstream.requests.at(-1)?.url, '/items/x%2F1');
});

t.test('tools/call with invalid arguments is -32602 naming the field, and never reaches the upstream', async (t) => {
  const before = upstream.requests.length;
  const r = await post(request(4, 'tools/call', { name: 'createItem', arguments: { name: 5 } }));
  t.equal(r.status, 200);
  t.equal(r.json.error.code, -32602);
  t.match(r.json.error.message, /Invalid arguments for tool createItem: .*name/);
  t.equal(upstream.requests.length, before);
});

t.test('tools/call of an unknown tool is -32602', async (t) => {
  const r = await post(request(5, 'tools/call', { name: 'nope', arguments: {} }));
  t.same(r.json.error, { code: -32602, message: 'Unknown tool: nope' });
});

t.test('an unknown method is -32601 with HTTP 200', async (t) => {
  const r = await post(request(6, 'resources/list'));
  t.equal(r.status, 200);
  t.same(r.json, { jsonrpc: '2.0', id: 6, error: { code: -32601, message: 'Method not found: resources/list' } });
});

t.test('a notification alone is accepted with 202 and an empty body', async (t) => {
  const r = await post({ jsonrpc: '2.0', method: 'notifications/initialized' });
  t.equal(r.status, 202);
  t.equal(r.text, '');
});

t.test('a batch of only notifications and responses is 202 with an empty body', async (t) => {
  const r = await post([
    { jsonrpc: '2.0', method: 'notifications/initialized' },
    { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } },
    { jsonrpc: '2.0', id: 99, result: {} },
  ]);
  t.equal(r.status, 202);
  t.equal(r.text, '');
});

t.test('a batch of requests gets an array of answers, in order, notifications left out', async (t) => {
  const r = await post([request(1, 'ping'), { jsonrpc: '2.0', method: 'notifications/initialized' }, request('b', 'tools/list'), request(3, 'nope/nope')]);
  t.equal(r.status, 200);
  t.ok(Array.isArray(r.json));
  t.same(r.json.map((a: { id: unknown }) => a.id), [1, 'b', 3]);
  t.same(r.json[0].result, {});
  t.equal(r.json[1].result.tools.length, 2);
  t.equal(r.json[2].error.code, -32601);
});

t.test('a batch of one request is still answered with an array', async (t) => {
  const r = await post([request(1, 'ping')]);
  t.same(r.json, [{ jsonrpc: '2.0', id: 1, result: {} }]);
});

t.test('a body that is not JSON is 400 with -32700 and id null', async (t) => {
  const r = await post('{"jsonrpc": "2.0", "id": 1, "method": ');
  t.equal(r.status, 400);
  t.same(r.json, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error: Invalid JSON' } });
});

t.test('an invalid JSON-RPC envelope is 400 with -32600', async (t) => {
  const cases: [unknown, RegExp][] = [
    [{ jsonrpc: '1.0', id: 1, method: 'ping' }, /jsonrpc must be "2\.0"/],
    [{ jsonrpc: '2.0', id: 1 }, /needs a method/],
    [{ jsonrpc: '2.0', id: { a: 1 }, method: 'ping' }, /id must be a string or a number/],
    ['42', /must be an object/],
    [[], /a batch must hold 1 to 100 messages/],
    [[request(1, 'ping'), 'x'], /must be an object/],
    [Array.from({ length: 101 }, (_, i) => request(i, 'ping')), /1 to 100/],
  ];
  for (const [body, message] of cases) {
    const r = await post(body);
    t.equal(r.status, 400, JSON.stringify(body).slice(0, 60));
    t.equal(r.json.error.code, -32600);
    t.match(r.json.error.message, message);
    t.equal(r.json.id, null);
  }
});

t.test('a Content-Type other than JSON is 415', async (t) => {
  for (const ctype of ['text/plain', 'application/x-www-form-urlencoded', 'application/jsonl']) {
    const r = await post(request(1, 'ping'), { 'content-type': ctype });
    t.equal(r.status, 415, ctype);
    t.match(r.json.error.message, /Content-Type must be application\/json/);
  }
  const charset = await post(request(1, 'ping'), { 'content-type': 'application/json; charset=utf-8' });
  t.equal(charset.status, 200, 'a charset parameter is fine');
});

t.test('an Accept without JSON and event-stream is 406, and */* is accepted', async (t) => {
  for (const accept of ['text/html', 'text/event-stream', 'application/json']) {
    const r = await post(request(1, 'ping'), { accept });
    t.equal(r.status, 406, accept);
    t.match(r.json.error.message, /Not Acceptable/);
  }
  for (const accept of ['*/*', 'application/*', 'text/event-stream, application/json', 'application/json;q=0.9, text/event-stream;q=0.8']) {
    const r = await post(request(1, 'ping'), { accept });
    t.equal(r.status, 200, accept);
  }
});

t.test('an unsupported MCP-Protocol-Version header is 400 listing the supported versions', async (t) => {
  const r = await post(request(1, 'tools/list'), { 'mcp-protocol-version': '2023-01-01' });
  t.equal(r.status, 400);
  t.equal(r.json.error.code, -32000);
  t.match(r.json.error.message, /Unsupported protocol version: 2023-01-01 \(supported versions: .*2025-06-18/);
});

t.test('a supported MCP-Protocol-Version header is accepted on every request', async (t) => {
  for (const v of ['2025-03-26', '2025-06-18', '2025-11-25']) {
    const r = await post(request(1, 'tools/list'), { 'mcp-protocol-version': v });
    t.equal(r.status, 200, v);
  }
});

t.test('initialize hands out no session id, and a client-sent one is ignored', async (t) => {
  const init = await post(initialize('2025-06-18'));
  t.equal(init.status, 200);
  t.equal(init.headers.get('mcp-session-id'), null, 'no id that no replica would remember');
  t.equal((await post(request(1, 'ping'))).headers.get('mcp-session-id'), null);
  t.equal((await post(request(3, 'ping'), { 'mcp-session-id': 'made-up' })).status, 200, 'stateless: nothing to look up');
});
