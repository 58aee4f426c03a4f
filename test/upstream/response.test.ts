import t, { type Test } from 'tap';
import { createServer } from 'node:net';
import { Pool } from 'undici';
import { AppError } from '../../src/errors.js';
import { RAW_STRUCTURED, classifyFailure, failureResult, toToolResult } from '../../src/upstream/response.js';
import { sendRequest } from '../../src/upstream/send.js';
import { startUpstream } from '../helpers/upstream.js';

const URL_ = 'http://127.0.0.1:9/pets/1';
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]);
const text = (s: string) => Buffer.from(s, 'utf8');

t.test('a JSON object becomes structuredContent plus the same JSON as text', async (t) => {
  const body = '{"id":1,"name":"Rex","tags":["a"]}';
  const result = toToolResult(200, 'application/json; charset=utf-8', text(body), URL_);
  t.same(result, { content: [{ type: 'text', text: body }], structuredContent: { id: 1, name: 'Rex', tags: ['a'] }, [RAW_STRUCTURED]: body });
  t.equal(result[RAW_STRUCTURED], body, "the upstream's own text rides along, for the response to splice in");
  t.equal(JSON.stringify(result), JSON.stringify({ content: [{ type: 'text', text: body }], structuredContent: { id: 1, name: 'Rex', tags: ['a'] } }), 'and never reaches JSON');
  t.same(toToolResult(201, 'application/hal+json', text('{"a":1}'), URL_).structuredContent, { a: 1 }, '+json suffixes are JSON');
  t.same(toToolResult(200, 'application/octet-stream', text('{"a":1}'), URL_).structuredContent, { a: 1 }, 'JSON mislabelled as octet-stream is still read as JSON');
});

t.test('JSON that is not an object is text only', async (t) => {
  const cases: [string, string][] = [
    ['array', '[1,2,3]'],
    ['string', '"hello"'],
    ['number', '42'],
    ['null', 'null'],
    ['invalid JSON', '{"a":'],
  ];
  for (const [name, body] of cases) {
    t.same(toToolResult(200, 'application/json', text(body), URL_), { content: [{ type: 'text', text: body }] }, name);
  }
});

t.test('text responses are text content, whatever their textual type', async (t) => {
  const cases: [string, string][] = [
    ['text/plain; charset=utf-8', 'héllo'],
    ['text/csv', 'a,b\n1,2'],
    ['application/xml', '<a/>'],
    ['application/atom+xml', '<feed/>'],
    ['application/yaml', 'a: 1'],
    ['application/x-yaml', 'a: 1'],
    ['application/x-ndjson', '{"a":1}\n{"a":2}\n'],
    ['application/javascript', 'let a = 1;'],
    ['', 'no content type at all'],
    ['application/octet-stream', 'plain words'],
  ];
  for (const [type, body] of cases) t.same(toToolResult(200, type, text(body), URL_), { content: [{ type: 'text', text: body }] }, type || '(none)');
});

t.test('images and audio become base64 content with their mime type', async (t) => {
  t.same(toToolResult(200, 'image/png', PNG, URL_), { content: [{ type: 'image', data: PNG.toString('base64'), mimeType: 'image/png' }] });
  t.same(toToolResult(200, 'IMAGE/JPEG; q=1', PNG, URL_).content, [{ type: 'image', data: PNG.toString('base64'), mimeType: 'image/jpeg' }], 'the mime type is normalised');
  t.same(toToolResult(200, 'audio/mpeg', PNG, URL_).content, [{ type: 'audio', data: PNG.toString('base64'), mimeType: 'audio/mpeg' }]);
});

t.test('other binary responses become an embedded resource blob named by the upstream URL', async (t) => {
  const pdf = Buffer.concat([text('%PDF-1.7\n'), Buffer.from([0x00, 0xe2, 0xe3, 0xcf, 0xd3])]);
  t.same(toToolResult(200, 'application/pdf', pdf, URL_), { content: [{ type: 'resource', resource: { uri: URL_, mimeType: 'application/pdf', blob: pdf.toString('base64') } }] });
  t.same(toToolResult(200, '', PNG, URL_).content, [{ type: 'resource', resource: { uri: URL_, mimeType: 'application/octet-stream', blob: PNG.toString('base64') } }], 'binary without a type is octet-stream');
});

t.test('an empty 2xx response says so', async (t) => {
  t.same(toToolResult(204, '', Buffer.alloc(0), URL_), { content: [{ type: 'text', text: 'HTTP 204 No Content (no content)' }] });
  t.same(toToolResult(202, 'application/json', Buffer.alloc(0), URL_), { content: [{ type: 'text', text: 'HTTP 202 Accepted (no content)' }] });
  t.same(toToolResult(299, '', Buffer.alloc(0), URL_), { content: [{ type: 'text', text: 'HTTP 299 (no content)' }] }, 'an unknown status has no reason phrase');
});

t.test('a 4xx or 5xx is an error result with the status and the upstream error body', async (t) => {
  const cases: [number, string, Buffer, string][] = [
    [404, 'application/problem+json', text('{"title":"no such pet"}'), 'Upstream returned HTTP 404 Not Found: {"title":"no such pet"}'],
    [500, 'text/plain', text('database down'), 'Upstream returned HTTP 500 Internal Server Error: database down'],
    [503, '', Buffer.alloc(0), 'Upstream returned HTTP 503 Service Unavailable'],
    [418, 'text/plain', text('teapot'), 'Upstream returned HTTP 418: teapot'],
    [502, 'image/png', PNG, `Upstream returned HTTP 502 Bad Gateway: <${PNG.length} bytes of image/png>`],
    [302, 'text/html', text('<a href="/x">moved</a>'), 'Upstream returned HTTP 302: <a href="/x">moved</a>'],
  ];
  for (const [status, type, body, want] of cases) {
    t.same(toToolResult(status, type, body, URL_), { content: [{ type: 'text', text: want }], isError: true }, `${status} ${type}`);
  }
});

t.test('a long error body is cut to a size the model can read', async (t) => {
  const result = toToolResult(400, 'text/plain', text('x'.repeat(10_000)), URL_);
  const msg = (result.content[0] as { text: string }).text;
  t.equal(result.isError, true);
  t.ok(msg.length < 4100, `message is ${msg.length} chars`);
  t.match(msg, /^Upstream returned HTTP 400 Bad Request: x{4000}… \(truncated\)$/);
});

t.test('failures before a response are classified by their code and explained', async (t) => {
  const err = (code: string, message = code) => Object.assign(new Error(message), { code });
  const cases: [string, unknown, string, RegExp][] = [
    ['headers timeout', err('UND_ERR_HEADERS_TIMEOUT', 'Headers Timeout Error'), 'UPSTREAM_TIMEOUT', /^The upstream API did not answer GET \/pets within 250 ms \(timeout\)/],
    ['body timeout', err('UND_ERR_BODY_TIMEOUT'), 'UPSTREAM_TIMEOUT', /within 250 ms \(timeout\)/],
    ['connect timeout', err('UND_ERR_CONNECT_TIMEOUT'), 'UPSTREAM_TIMEOUT', /timeout/],
    ['AbortSignal.timeout', Object.assign(new Error('aborted'), { name: 'TimeoutError' }), 'UPSTREAM_TIMEOUT', /timeout/],
    ['connection refused', err('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9'), 'UPSTREAM_UNREACHABLE', /^The upstream API could not be reached for GET \/pets: ECONNREFUSED \(connect ECONNREFUSED 127\.0\.0\.1:9\)\.$/],
    ['unknown host', err('ENOTFOUND'), 'UPSTREAM_UNREACHABLE', /could not be reached.*ENOTFOUND/],
    ['socket closed', err('UND_ERR_SOCKET', 'other side closed'), 'UPSTREAM_UNREACHABLE', /could not be reached.*other side closed/],
    ['too large', new AppError('UPSTREAM_RESPONSE_TOO_LARGE', 'the upstream response is larger than the limit of 10 bytes (upstream.maxResponseSize)'), 'UPSTREAM_RESPONSE_TOO_LARGE', /^the upstream response is larger than the limit of 10 bytes/],
    ['anything else', err('UND_ERR_INVALID_ARG', 'invalid x-foo header'), 'UPSTREAM_FAILED', /^The upstream request GET \/pets failed: invalid x-foo header$/],
  ];
  for (const [name, e, code, message] of cases) {
    t.test(name, async (t) => {
      t.equal(classifyFailure(e), code);
      const result = failureResult(e, 'GET /pets', 250);
      t.equal(result.isError, true);
      t.equal(result.content.length, 1);
      t.match((result.content[0] as { text: string }).text, message);
    });
  }
});

/** A pool to a real upstream, closed in teardown. */
function poolFor(t: Test, url: string): Pool {
  const pool = new Pool(url, { connections: 2 });
  t.teardown(() => pool.destroy());
  return pool;
}
const send = (pool: Pool, path: string, over: { maxBytes?: number; timeoutMs?: number; method?: string; body?: string } = {}) =>
  sendRequest(pool, { path, method: over.method ?? 'GET', headers: { accept: 'application/json' }, body: over.body }, over.timeoutMs ?? 2000, over.maxBytes ?? 1000);

t.test('sendRequest collects status, content type and body from a real upstream', async (t) => {
  const up = await startUpstream((req, res) => {
    if (req.url === '/chunks') {
      res.writeHead(201, { 'content-type': 'text/plain' });
      res.write('one,');
      setTimeout(() => res.end('two'), 20);
      return;
    }
    if (req.url === '/empty') {
      res.writeHead(204);
      res.end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ method: req.method, body: req.body.toString() }));
  });
  t.teardown(() => up.close());
  const pool = poolFor(t, up.url);
  t.same(await send(pool, '/x', { method: 'POST', body: 'hi' }), { status: 200, contentType: 'application/json; charset=utf-8', body: Buffer.from('{"method":"POST","body":"hi"}') });
  t.same(await send(pool, '/chunks'), { status: 201, contentType: 'text/plain', body: Buffer.from('one,two') }, 'a body in several chunks is joined');
  const empty = await send(pool, '/empty');
  t.equal(empty.status, 204);
  t.equal(empty.body.length, 0);
  t.same(up.requests.map((r) => [r.method, r.url, r.headers.accept]), [
    ['POST', '/x', 'application/json'],
    ['GET', '/chunks', 'application/json'],
    ['GET', '/empty', 'application/json'],
  ]);
});

t.test('sendRequest refuses a body over the limit, by its content-length or as it streams', async (t) => {
  let streamed = 0;
  const up = await startUpstream((req, res) => {
    if (req.url === '/declared') {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '5000' });
      res.end('x'.repeat(5000));
      return;
    }
    if (req.url === '/exact') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('x'.repeat(1000));
      return;
    }
    // No content-length: the cap has to be enforced while the chunks arrive.
    res.writeHead(200, { 'content-type': 'text/plain' });
    const timer = setInterval(() => {
      streamed += 400;
      if (!res.write('y'.repeat(400)) && streamed > 40_000) clearInterval(timer);
    }, 5);
    res.on('close', () => clearInterval(timer));
  });
  t.teardown(() => up.close());
  const pool = poolFor(t, up.url);
  const limit = { code: 'UPSTREAM_RESPONSE_TOO_LARGE', message: /larger than the limit of 1000 bytes \(upstream\.maxResponseSize\)/ };
  await t.rejects(send(pool, '/declared'), limit, 'a declared length over the limit');
  await t.rejects(send(pool, '/streamed'), limit, 'a chunked body that grows over the limit');
  t.ok(streamed < 40_000, `the transfer was cut short after ${streamed} bytes`);
  t.equal((await send(pool, '/exact')).body.length, 1000, 'a body of exactly the limit is fine');
});

t.test('sendRequest times out on an upstream that never answers', async (t) => {
  const up = await startUpstream(() => {
    /* never answers */
  });
  t.teardown(() => up.close());
  const started = Date.now();
  await t.rejects(send(poolFor(t, up.url), '/hang', { timeoutMs: 150 }), { code: 'UPSTREAM_TIMEOUT', message: 'the upstream did not answer within 150 ms' });
  const took = Date.now() - started;
  t.ok(took >= 140 && took < 5000, `gave up after ${took} ms (not a hang)`);
});

t.test('sendRequest reports a refused connection with its code', async (t) => {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const err = await send(poolFor(t, `http://127.0.0.1:${port}`), '/x').then(
    () => undefined,
    (e: unknown) => e,
  );
  t.equal((err as { code?: string }).code, 'ECONNREFUSED');
  t.equal(classifyFailure(err), 'UPSTREAM_UNREACHABLE');
});
