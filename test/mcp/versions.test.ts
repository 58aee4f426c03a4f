import t from 'tap';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { connectClient, spec30, startTestSidecar } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';

// The stateless endpoint with the real SDK client, at each protocol version a client may speak.
const upstream = await startUpstream((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ greeting: `hello ${new URL(req.url, 'http://x').searchParams.get('name')}` }));
});
t.teardown(() => upstream.close());
const sidecar = await startTestSidecar(t, {
  config: { reload: { watch: false }, servers: [{ path: '/mcp', spec: './hello.yaml', upstream: { baseUrl: upstream.url } }] },
  files: {
    'hello.yaml': spec30({
      '/hello': {
        get: {
          operationId: 'hello',
          parameters: [{ name: 'name', in: 'query', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'ok', content: { 'application/json': { schema: { type: 'object', properties: { greeting: { type: 'string' } } } } } } },
        },
      },
    }),
  },
});
const url = `${sidecar.url}/mcp`;

interface Sent {
  method: string;
  version: string | null;
  body: string;
}

/**
 * The SDK client asks for its latest version; this fetch rewrites the version in initialize so the
 * client runs at `version`, and records the MCP-Protocol-Version header of every later request.
 */
function pinnedFetch(version: string, sent: Sent[]): typeof fetch {
  return async (input, init) => {
    let body = typeof init?.body === 'string' ? init.body : '';
    if (body.includes('"method":"initialize"')) body = body.replace(/"protocolVersion":"[^"]*"/, `"protocolVersion":"${version}"`);
    const headers = new Headers(init?.headers);
    sent.push({ method: init?.method ?? 'GET', version: headers.get('mcp-protocol-version'), body });
    return fetch(input, { ...init, ...(init?.body !== undefined ? { body } : {}) });
  };
}

for (const version of ['2025-03-26', '2025-06-18', '2025-11-25']) {
  t.test(`the SDK client works against the stateless endpoint at protocol version ${version}`, async (t) => {
    const sent: Sent[] = [];
    const transport = new StreamableHTTPClientTransport(new URL(url), { fetch: pinnedFetch(version, sent) });
    const client = new Client({ name: 'versions-test', version: '1.0.0' });
    t.teardown(() => client.close());
    await client.connect(transport);

    t.equal(transport.protocolVersion, version, 'the server agreed to the version asked for');
    const { tools } = await client.listTools();
    t.same(tools.map((x) => x.name), ['hello']);
    const result = await client.callTool({ name: 'hello', arguments: { name: version } });
    t.same(result.structuredContent, { greeting: `hello ${version}` });

    const after = sent.filter((s) => s.method === 'POST' && !s.body.includes('"method":"initialize"'));
    t.ok(after.length >= 3, 'initialized, tools/list and tools/call were posted');
    t.ok(after.every((s) => s.version === version), `every request after initialize carried MCP-Protocol-Version: ${version}`);
  });

  t.test(`raw requests with MCP-Protocol-Version: ${version} are answered`, async (t) => {
    const post = async (body: object) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': version },
        body: JSON.stringify(body),
      });
      return { status: res.status, json: (await res.json()) as { result: Record<string, unknown> } };
    };
    const init = await post({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 'raw', version: '0' } } });
    t.equal(init.status, 200);
    t.equal(init.json.result.protocolVersion, version);
    const list = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    t.equal(list.status, 200);
    t.equal((list.json.result.tools as unknown[]).length, 1);
    const call = await post({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'hello', arguments: { name: 'raw' } } });
    t.same(call.json.result.structuredContent, { greeting: 'hello raw' });
  });
}

t.test('the SDK client with its defaults negotiates its latest version', async (t) => {
  const client = await connectClient(t, url);
  t.match(client.getServerVersion(), { name: 'mcp-sidecar/default' });
  const { tools } = await client.listTools();
  t.equal(tools.length, 1);
});
