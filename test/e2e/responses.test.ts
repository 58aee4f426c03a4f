import t, { type Test } from 'tap';
import { createServer } from 'node:net';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { connectClient, firstText, spec30, startTestSidecar } from '../helpers/sidecar.js';
import { startUpstream, type UpstreamHandler } from '../helpers/upstream.js';

// Upstream responses and failures → tool results, through the real SDK client.

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a1d8c5b80000000049454e44ae426082', 'hex');
const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n%'), Buffer.from([0xe2, 0xe3, 0xcf, 0xd3, 0x00, 0x0a]), Buffer.from('%%EOF\n')]);
const PET = { id: 1, name: 'Rex' };

const handler: UpstreamHandler = (req, res) => {
  const url = new URL(req.url, 'http://x');
  switch (url.pathname) {
    case '/json-object':
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify(PET));
    case '/json-array':
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end('[{"id":1},{"id":2}]');
    case '/text':
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      return void res.end('plain ünïcode text');
    case '/png':
      res.writeHead(200, { 'content-type': 'image/png' });
      return void res.end(PNG);
    case '/pdf':
      res.writeHead(200, { 'content-type': 'application/pdf' });
      return void res.end(PDF);
    case '/empty':
      res.writeHead(204);
      return void res.end();
    case '/missing':
      res.writeHead(404, { 'content-type': 'application/json' });
      return void res.end('{"error":"no pet with id 42"}');
    case '/boom':
      res.writeHead(500, { 'content-type': 'text/plain' });
      return void res.end('database connection lost');
    case '/slow':
      return; // never answers
    case '/reset':
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"partial":');
      return void setTimeout(() => res.socket?.destroy(), 10);
    case '/big':
      res.writeHead(200, { 'content-type': 'text/plain' });
      return void res.end('x'.repeat(5000));
    case '/big-chunked': {
      res.writeHead(200, { 'content-type': 'text/plain' });
      let sent = 0;
      const timer = setInterval(() => {
        res.write('y'.repeat(300));
        if ((sent += 300) >= 30_000) {
          clearInterval(timer);
          res.end();
        }
      }, 2);
      return void res.on('close', () => clearInterval(timer));
    }
    case '/typed/good':
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify(PET));
    case '/typed/bad':
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end('{"id":"one","name":7}');
    case '/typed/array':
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end('[1,2]');
    case '/typed/gone':
      res.writeHead(204);
      return void res.end();
    default:
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ url: req.url }));
  }
};

const get = (operationId: string, responses: object = { '200': { description: 'ok' } }, parameters: object[] = []) => ({ get: { operationId, parameters, responses } });
const content = (type: string, schema: object = { type: 'string' }) => ({ '200': { description: 'ok', content: { [type]: { schema } } } });
const petSchema = { type: 'object', required: ['id', 'name'], properties: { id: { type: 'integer' }, name: { type: 'string' } } };

const api = spec30({
  '/json-object': get('getObject', content('application/json', { type: 'object' })),
  '/json-array': get('getArray', content('application/json', { type: 'array', items: { type: 'object' } })),
  '/text': get('getText', content('text/plain')),
  '/png': get('getPng', content('image/png')),
  '/pdf': get('getPdf', content('application/pdf')),
  '/empty': { delete: { operationId: 'deleteThing', responses: { '204': { description: 'gone' } } } },
  '/missing': get('getMissing'),
  '/boom': get('getBoom'),
  '/slow': get('getSlow'),
  '/reset': get('getReset'),
  '/big': get('getBig'),
  '/big-chunked': get('getBigChunked'),
  '/typed/{kind}': get('getTyped', { '200': { description: 'a pet', content: { 'application/json': { schema: petSchema } } }, '204': { description: 'no pet' } }, [
    { name: 'kind', in: 'path', required: true, schema: { type: 'string' } },
  ]),
  '/echo': get('echo', undefined, [
    { name: 'n', in: 'query', required: true, schema: { type: 'integer', minimum: 1 } },
    { name: 'mode', in: 'query', required: true, schema: { type: 'string', enum: ['fast', 'slow'] } },
    { name: 'tags', in: 'query', schema: { type: 'array', items: { type: 'string' } } },
  ]),
});

const closedPort = await new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address() as { port: number };
    s.close(() => resolve(port));
  });
});
const up = await startUpstream(handler);
t.teardown(() => up.close());
const upstream = { timeout: '200ms', maxResponseSize: '1kb' };
const sidecar = await startTestSidecar(t, {
  config: {
    servers: [
      { path: '/mcp', spec: './api.json', upstream: { baseUrl: up.url, ...upstream } },
      { path: '/down', spec: './api.json', upstream: { baseUrl: `http://127.0.0.1:${closedPort}/api`, ...upstream } },
    ],
  },
  files: { 'api.json': api },
});
const client = await connectClient(t, `${sidecar.url}/mcp`);
const { tools } = await client.listTools(); // also makes the SDK client check structuredContent against outputSchema

interface Result {
  content: { type: string; text?: string; data?: string; mimeType?: string; resource?: { uri: string; mimeType: string; blob: string } }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}
const call = async (name: string, args: Record<string, unknown> = {}, c: Client = client) => (await c.callTool({ name, arguments: args })) as Result;

/** The sidecar still serves a good call after a failure. */
async function stillWorks(t: Test): Promise<void> {
  const res = await call('getObject');
  t.notOk(res.isError, 'a following good call still works');
  t.same(res.structuredContent, PET);
}

/** Asserts a -32602 naming each field, and that the upstream received nothing. */
async function invalidParams(t: Test, name: string, args: Record<string, unknown>, fields: string[], message: RegExp): Promise<void> {
  up.requests.length = 0;
  const err = await client.callTool({ name, arguments: args }).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof McpError, 'the call is rejected with an McpError');
  t.equal((err as McpError).code, ErrorCode.InvalidParams);
  t.match((err as McpError).message, message);
  for (const field of fields) t.match((err as McpError).message, `${field}: `, `the message names ${field}`);
  t.same(((err as McpError).data as { errors: { field: string }[] }).errors.map((e) => e.field).sort(), [...fields].sort(), 'error data lists each field');
  t.equal(up.requests.length, 0, 'the upstream received nothing');
}

t.test('a JSON object response is structuredContent plus the same JSON as text', async (t) => {
  const res = await call('getObject');
  t.same(res, { content: [{ type: 'text', text: JSON.stringify(PET) }], structuredContent: PET });
});

t.test('a JSON array response is text only', async (t) => {
  const res = await call('getArray');
  t.same(res, { content: [{ type: 'text', text: '[{"id":1},{"id":2}]' }] });
});

t.test('a text/plain response is text content', async (t) => {
  t.same(await call('getText'), { content: [{ type: 'text', text: 'plain ünïcode text' }] });
});

t.test('an image/png response is image content with the exact bytes in base64', async (t) => {
  up.requests.length = 0;
  const res = await call('getPng');
  t.same(res, { content: [{ type: 'image', data: PNG.toString('base64'), mimeType: 'image/png' }] });
  t.same(Buffer.from(res.content[0]!.data!, 'base64'), PNG);
  t.equal(up.requests[0]?.headers.accept, 'image/png, */*;q=0.8', 'the upstream was asked for the media type the spec declares');
});

t.test('a PDF response is an embedded resource blob named by the upstream URL', async (t) => {
  const res = await call('getPdf');
  t.same(res, { content: [{ type: 'resource', resource: { uri: `${up.url}/pdf`, mimeType: 'application/pdf', blob: PDF.toString('base64') } }] });
});

t.test('a 204 response is a success that says there is no content', async (t) => {
  up.requests.length = 0;
  t.same(await call('deleteThing'), { content: [{ type: 'text', text: 'HTTP 204 No Content (no content)' }] });
  t.equal(up.requests[0]?.method, 'DELETE');
});

t.test('a 404 is an error result carrying the status and the upstream’s error body', async (t) => {
  const res = await call('getMissing');
  t.equal(res.isError, true);
  t.same(res.content, [{ type: 'text', text: 'Upstream returned HTTP 404 Not Found: {"error":"no pet with id 42"}' }]);
  t.equal(res.structuredContent, undefined);
  await stillWorks(t);
});

t.test('a 500 is an error result carrying the status and the upstream’s error body', async (t) => {
  const res = await call('getBoom');
  t.equal(res.isError, true);
  t.same(res.content, [{ type: 'text', text: 'Upstream returned HTTP 500 Internal Server Error: database connection lost' }]);
  await stillWorks(t);
});

t.test('an upstream that never answers ends in a timeout error result', async (t) => {
  const started = Date.now();
  const res = await call('getSlow');
  const took = Date.now() - started;
  t.equal(res.isError, true);
  t.match(firstText(res), /^The upstream API did not answer GET \/slow within 200 ms \(timeout\)/);
  t.ok(took >= 190 && took < 5000, `gave up after ${took} ms (not a hang)`);
  await stillWorks(t);
});

t.test('an upstream that refuses connections ends in an error result saying it could not be reached', async (t) => {
  const down = await connectClient(t, `${sidecar.url}/down`);
  const res = await call('getObject', {}, down);
  t.equal(res.isError, true);
  t.match(firstText(res), /^The upstream API could not be reached for GET \/api\/json-object: ECONNREFUSED/);
  t.match(firstText(res), `127.0.0.1:${closedPort}`);
  await stillWorks(t);
  t.equal((await call('getObject', {}, down)).isError, true, 'and the broken upstream keeps failing cleanly');
});

t.test('an upstream that drops the connection mid-response ends in an error result', async (t) => {
  const res = await call('getReset');
  t.equal(res.isError, true);
  t.match(firstText(res), /^The upstream API could not be reached for GET \/reset: UND_ERR_SOCKET/);
  t.notMatch(firstText(res), /partial/, 'a half-read body is not passed on as if it were complete');
  await stillWorks(t);
});

t.test('a response over maxResponseSize is an error result that names the limit', async (t) => {
  for (const name of ['getBig', 'getBigChunked']) {
    const res = await call(name);
    t.equal(res.isError, true, name);
    t.same(res.content, [{ type: 'text', text: 'the upstream response is larger than the limit of 1000 bytes (upstream.maxResponseSize)' }], name);
    await stillWorks(t);
  }
});

t.test('a response that matches the outputSchema is returned as structuredContent', async (t) => {
  const typed = tools.find((x) => x.name === 'getTyped')!;
  t.match(typed.outputSchema, { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' } } });
  const res = await call('getTyped', { kind: 'good' });
  t.notOk(res.isError);
  t.same(res.structuredContent, PET);
});

t.test('a response that does not match the outputSchema is an error result explaining the mismatch', async (t) => {
  const res = await call('getTyped', { kind: 'bad' });
  t.equal(res.isError, true);
  t.equal(res.structuredContent, undefined, 'no structuredContent that would fail the client’s own check');
  t.equal(res.content.length, 2);
  t.match(res.content[0]!.text, /^The upstream response does not match the response schema in the API's OpenAPI spec \(.*id must be integer.*name must be string.*\)\. The response was:$/);
  t.same(res.content[1], { type: 'text', text: '{"id":"one","name":7}' }, 'the body is kept for the model');

  const arr = await call('getTyped', { kind: 'array' });
  t.equal(arr.isError, true);
  t.match(arr.content[0]!.text, /\(response\) is not a JSON object/);
  await stillWorks(t);
});

t.test('a 204 that the spec declares is not a mismatch on a tool with an outputSchema', async (t) => {
  const res = await call('getTyped', { kind: 'gone' });
  t.notOk(res.isError, 'a declared 204 is a success');
});

t.test('invalid arguments are refused with -32602 naming each field, and nothing is sent', async (t) => {
  await invalidParams(t, 'echo', { n: 'three', mode: 'fast' }, ['n'], /Invalid arguments for tool echo: n: must be integer/);
  await invalidParams(t, 'echo', { n: 1, mode: 'fast', verbose: true }, ['verbose'], /verbose: is not a known argument/);
  await invalidParams(t, 'echo', { mode: 'fast' }, ['n'], /n: is required/);
  await invalidParams(t, 'echo', { n: 0, mode: 'medium', tags: 'x', extra: 1 }, ['n', 'mode', 'tags', 'extra'], /mode: must be one of \["fast","slow"\]/);
  await invalidParams(t, 'echo', {}, ['n', 'mode'], /n: is required.*mode: is required/);
  await stillWorks(t);
  up.requests.length = 0;
  const ok = await call('echo', { n: 2, mode: 'slow', tags: ['a'] });
  t.same(ok.structuredContent, { url: '/echo?n=2&mode=slow&tags=a' }, 'valid arguments go through');
});

t.test('an unknown tool is refused with -32602', async (t) => {
  up.requests.length = 0;
  await t.rejects(client.callTool({ name: 'noSuchTool', arguments: {} }), { name: 'McpError', code: ErrorCode.InvalidParams, message: /Unknown tool: noSuchTool/ });
  t.equal(up.requests.length, 0);
  await stillWorks(t);
});
