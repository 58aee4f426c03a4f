import t from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../helpers/cli.js';
import { startUpstream } from '../helpers/upstream.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = (name: string) => path.join(root, 'test/fixtures/config', name);

async function until(ok: () => boolean, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; !ok() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
}

const rpc = async (url: string, method: string, params?: object) => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return { status: res.status, body: (await res.json()) as { result?: Record<string, unknown>; error?: { code: number } } };
};

// Started at load, alongside the others: it needs no server, only its exit.
const brokenRun = (() => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve', '-c', fixture('broken/duplicates.yaml'), '--port', '0'], { cwd: root });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return once(child, 'exit').then(([code]) => ({ code: code as number | null, stderr }));
})();

const petsApi = await startUpstream((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ id: req.url.split('/').pop(), name: 'Rex' }));
});
let slowCallArrived!: () => void;
const slowCallReached = new Promise<void>((r) => (slowCallArrived = r));
const slowApi = await startUpstream(async (_req, res) => {
  slowCallArrived();
  await new Promise((r) => setTimeout(r, 400));
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"now":"late"}');
});
t.teardown(() => Promise.all([petsApi.close(), slowApi.close()]));

// Start every server at once (a Node start-up each); each test then drives and stops its own.
const servers = {
  oneSpec: serve(t, ['serve', 'test/fixtures/config/specs/pets.yaml', '--base-url', petsApi.url, '--port', '0', '--headless']),
  config: serve(t, ['serve', '-c', fixture('valid/two-servers.yaml'), '-p', '0'], { LOG_FORMAT: 'json' }),
  slow: serve(t, ['serve', 'test/fixtures/config/specs/clock.yaml', '--base-url', slowApi.url, '--port', '0']),
};
for (const p of Object.values(servers)) p.catch(() => undefined); // awaited (and reported) by its test

t.test('serve <spec> --base-url URL --port 0 serves that spec at /mcp, and --headless is accepted', async (t) => {
  const upstream = petsApi;
  const s = await servers.oneSpec;

  t.match(s.url, /^http:\/\/127\.0\.0\.1:\d+$/, 'bound to loopback on a free port');
  t.not(s.url, 'http://127.0.0.1:0');
  await until(() => s.stderr().includes('MCP endpoint'));
  t.match(s.stderr(), `MCP endpoint ${s.url}/mcp (default: 3 tools, stateless)`);
  const log = s.stderr().split('\n').find((l) => l.includes('listening on'))!;
  t.match(JSON.parse(log), { level: 'info', url: s.url, servers: [{ path: '/mcp', tools: 3 }] }, 'one JSON log line on stderr');

  const list = await rpc(`${s.url}/mcp`, 'tools/list');
  t.equal(list.status, 200);
  t.same((list.body.result!.tools as { name: string }[]).map((x) => x.name).sort(), ['createPet', 'getPet', 'listPets']);
  const call = await rpc(`${s.url}/mcp`, 'tools/call', { name: 'getPet', arguments: { petId: 'p1' } });
  t.same(call.body.result!.structuredContent, { id: 'p1', name: 'Rex' });
  t.equal(upstream.requests.at(-1)?.url, '/pets/p1', 'the --base-url replaces the spec server');

  s.child.kill('SIGTERM');
  const started = Date.now();
  const { code, signal } = await s.exit;
  t.equal(code, 0, 'SIGTERM exits 0');
  t.equal(signal, null);
  t.ok(Date.now() - started < 5000, `exits promptly (${Date.now() - started} ms)`);
  t.match(s.stderr(), /"msg":"shutting down"/);
  t.match(s.stderr(), /"msg":"stopped"/);
});

t.test('serve -c <config> --port 0 serves every server of the config, and SIGINT stops it too', async (t) => {
  const s = await servers.config;
  const pets = await rpc(`${s.url}/mcp/pets`, 'tools/list');
  const clock = await rpc(`${s.url}/mcp/clock`, 'tools/list');
  t.equal((pets.body.result!.tools as unknown[]).length, 3);
  t.same((clock.body.result!.tools as { name: string }[]).map((x) => x.name), ['getTime']);
  s.child.kill('SIGINT');
  t.equal((await s.exit).code, 0);
});

t.test('SIGTERM lets an in-flight tool call finish before exiting 0', async (t) => {
  const s = await servers.slow;
  const call = rpc(`${s.url}/mcp`, 'tools/call', { name: 'getTime', arguments: {} });
  await slowCallReached;
  s.child.kill('SIGTERM');
  const { body } = await call;
  t.same(body.result?.structuredContent, { now: 'late' }, 'the call in flight got its answer');
  t.equal((await s.exit).code, 0);
});

t.test('serve with a broken config exits non-zero and prints every problem on stderr', async (t) => {
  const file = fixture('broken/duplicates.yaml');
  const { code, stderr } = await brokenRun;
  t.equal(code, 2);
  t.match(stderr, `mcp-sidecar: ${file}: 2 problems`);
  t.match(stderr, `  - ${file}:7:11: servers[1].path:`);
  t.match(stderr, `  - ${file}:9:11: servers[2].name:`);
});
