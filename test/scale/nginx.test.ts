import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { stringify } from 'yaml';
import { spec30 } from '../helpers/sidecar.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

/*
 * Horizontal scale-out, for real: two sidecar processes (the CLI, as a container runs it) behind Debian's
 * nginx as a round-robin load balancer, and the real MCP SDK client talking to nginx.
 *  - stateless (the default): every request may land on either replica, and all of them work;
 *  - stateful without affinity: the session lives on one replica, the next request lands on the other
 *    one and gets 404 "Session not found … sticky sessions" — an error, not a hang;
 *  - stateful with affinity (ip_hash): works, always on one replica.
 * Needs nginx (apt-get install -y nginx); skipped with that reason when it is absent.
 */

const root = fileURLToPath(new URL('../../', import.meta.url));
const NGINX = [process.env.NGINX, '/usr/sbin/nginx', '/usr/bin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx'].find(
  (p): p is string => !!p && existsSync(p),
);
// The shipped CLI when built (CI builds it in `npm ci`); the sources through tsx otherwise.
const CLI = existsSync(path.join(root, 'dist/main.js')) ? [path.join(root, 'dist/main.js')] : ['--import', 'tsx', path.join(root, 'src/main.ts')];
const STEP_MS = 30_000; // per step; generous because slow, loaded CI machines start node slowly
// Real processes: allow more than the suite's default per-file timeout.
t.setTimeout(300_000);

interface Teardown {
  teardown(fn: () => unknown): void;
}

/** Rejects after `ms` so that nothing in this file can hang. */
function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Waits for a child to exit (bounded); SIGKILL if it does not stop in time. Resolves with its exit code. */
function stopChild(child: ChildProcess, signal: NodeJS.Signals, ms = 10_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), ms);
    child.once('exit', (code) => {
      clearTimeout(kill);
      resolve(code);
    });
    child.kill(signal);
  });
}

/** Each replica's own upstream answers with the replica's name, so every tool result says who served it. */
const spec = spec30({
  '/whoami': {
    get: {
      operationId: 'whoami',
      parameters: [{ name: 'n', in: 'query', schema: { type: 'integer' } }],
      responses: { '200': { description: 'ok', content: { 'application/json': { schema: { type: 'object', properties: { backend: { type: 'string' }, n: { type: 'integer' } } } } } } },
    },
  },
});

interface Replica {
  name: string;
  url: string;
  upstream: TestUpstream;
  process: ChildProcess;
  exitCode(): Promise<number | null>;
}

/** `node dist/main.js serve -c <config>` on 127.0.0.1:0; the bound URL comes from its first log line. */
async function startReplica(t: Teardown, name: string, sessions: 'stateless' | 'stateful'): Promise<Replica> {
  const upstream = await startUpstream((req, res) => {
    const n = Number(new URL(req.url, 'http://x').searchParams.get('n') ?? 0);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ backend: name, n }));
  });
  t.teardown(() => upstream.close());
  const dir = mkdtempSync(path.join(tmpdir(), `mcp-sidecar-scale-${name}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'openapi.json'), JSON.stringify(spec));
  const config = {
    listen: { host: '127.0.0.1', port: 0 },
    logging: { level: 'info', format: 'json' },
    audit: { enabled: false },
    limits: { shutdownGrace: '2s' },
    servers: [{ name: 'scale', path: '/mcp', spec: './openapi.json', sessions, upstream: { baseUrl: upstream.url, timeout: '5s' } }],
  };
  writeFileSync(path.join(dir, 'config.yaml'), stringify(config));

  const child = spawn(process.execPath, [...CLI, 'serve', '-c', path.join(dir, 'config.yaml')], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.teardown(() => stopChild(child, 'SIGTERM'));
  const log: string[] = [];
  const url = await within(
    STEP_MS,
    `replica ${name} start`,
    new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: child.stderr! });
      lines.on('line', (line) => {
        log.push(line);
        try {
          const entry = JSON.parse(line) as { url?: string };
          if (entry.url) resolve(entry.url);
        } catch {
          // not a JSON log line
        }
      });
      child.once('exit', (code) => reject(new Error(`replica ${name} exited with ${code}:\n${log.join('\n')}`)));
    }),
  );
  return { name, url, upstream, process: child, exitCode: () => exited };
}

/** nginx in the foreground with its own config, pid, logs and temp folders; stopped in teardown. */
async function startNginx(t: Teardown, backends: Replica[], balancing: '' | 'ip_hash;' = ''): Promise<{ url: string; accessLog: () => string[] }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcp-sidecar-nginx-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  const conf = `
${process.getuid?.() === 0 ? 'user root root;  # workers must read this temp folder' : ''}
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  log_format lb '$request_method $uri $status $upstream_addr';
  access_log ${dir}/access.log lb;
  upstream sidecars {
    ${balancing}
${backends.map((b) => `    server ${new URL(b.url).host};`).join('\n')}
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://sidecars;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_buffering off;          # Streamable HTTP: SSE must not be buffered
      proxy_read_timeout 30s;
    }
  }
}
`;
  writeFileSync(path.join(dir, 'nginx.conf'), conf);
  const child = spawn(NGINX!, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  t.teardown(() => stopChild(child, 'SIGQUIT'));
  const url = `http://127.0.0.1:${port}`;
  await within(
    STEP_MS,
    'nginx start',
    (async () => {
      for (;;) {
        if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}: ${stderr}${readFileSync(path.join(dir, 'error.log'), 'utf8')}`);
        const ok = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
        if (ok) return;
        await new Promise((r) => setTimeout(r, 50));
      }
    })(),
  );
  const accessLog = () => readFileSync(path.join(dir, 'access.log'), 'utf8').split('\n').filter(Boolean);
  return { url, accessLog };
}

async function connect(t: Teardown, url: string): Promise<Client> {
  const client = new Client({ name: 'mcp-sidecar-scale-test', version: '1.0.0' });
  await within(STEP_MS, 'initialize', client.connect(new StreamableHTTPClientTransport(new URL(url)), { timeout: STEP_MS }));
  t.teardown(() => client.close());
  return client;
}

/** Tool calls counted by a replica's own /metrics (mcp_sidecar_tool_calls_total, all outcomes). */
async function toolCallsCounted(replica: Replica): Promise<number> {
  const text = await (await fetch(`${replica.url}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
  return [...text.matchAll(/^mcp_sidecar_tool_calls_total\{[^}]*tool="whoami"[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

const skip = NGINX ? false : 'nginx is not installed (apt-get install -y nginx; add it to .ci/run)';

t.test('stateless: one client through a round-robin load balancer uses both replicas with zero errors', { skip }, async (t) => {
  const replicas = await Promise.all([startReplica(t, 'a', 'stateless'), startReplica(t, 'b', 'stateless')]);
  const lb = await startNginx(t, replicas);
  const client = await connect(t, `${lb.url}/mcp`);

  const served: string[] = [];
  const call = async (n: number) => {
    const result = await within(STEP_MS, `call ${n}`, client.callTool({ name: 'whoami', arguments: { n } }, undefined, { timeout: STEP_MS }));
    if (result.isError) throw new Error(`call ${n} failed: ${JSON.stringify(result.content)}`);
    const body = result.structuredContent as { backend: string; n: number };
    if (body.n !== n) throw new Error(`call ${n} got the answer to ${body.n}`);
    served.push(body.backend);
  };
  for (let n = 0; n < 40; n++) await call(n); // one after another
  await Promise.all(Array.from({ length: 60 }, (_, i) => call(100 + i))); // and 60 at once

  const perBackend = { a: served.filter((b) => b === 'a').length, b: served.filter((b) => b === 'b').length };
  t.equal(served.length, 100, 'all 100 calls answered without an error');
  t.ok(Math.abs(perBackend.a - perBackend.b) <= 4, `round robin: ${JSON.stringify(perBackend)}`);
  const sequential = served.slice(0, 40);
  const switches = sequential.filter((b, i) => i > 0 && b !== sequential[i - 1]).length;
  t.ok(switches >= 35, `consecutive calls alternate between the replicas (${switches} switches in 40 calls)`);

  // Each replica's own evidence: its upstream's request log and its Prometheus counter.
  for (const r of replicas) {
    const mine = perBackend[r.name as 'a' | 'b'];
    t.equal(r.upstream.requests.length, mine, `replica ${r.name}: its upstream got ${mine} requests`);
    t.equal(await toolCallsCounted(r), mine, `replica ${r.name}: /metrics counts ${mine} tool calls`);
  }
  const lines = lb.accessLog().filter((l) => l.startsWith('POST /mcp 200'));
  for (const r of replicas) t.ok(lines.some((l) => l.endsWith(new URL(r.url).host)), `nginx sent MCP POSTs to ${r.name}`);

  // Scale-in: SIGTERM drains and exits 0 while the other replica keeps serving.
  t.equal(await stopChild(replicas[0]!.process, 'SIGTERM'), 0, 'replica a exits 0 on SIGTERM');
  // nginx retries a refused connection on the next replica (the request was never sent), so no call fails.
  for (let n = 0; n < 4; n++) {
    const after = await within(STEP_MS, `call ${n} after scale-in`, client.callTool({ name: 'whoami', arguments: { n } }, undefined, { timeout: STEP_MS }));
    t.equal((after.structuredContent as { backend: string } | undefined)?.backend, 'b', `call ${n} after scale-in: served by the remaining replica`);
  }
});

t.test('stateful sessions live in one replica', { skip }, async (t) => {
  const replicas = await Promise.all([startReplica(t, 'a', 'stateful'), startReplica(t, 'b', 'stateful')]);

  await t.test('without session affinity the next request meets the other replica and gets 404, not a hang', async (t) => {
    const lb = await startNginx(t, replicas);
    const url = `${lb.url}/mcp`;

    await t.test('the MCP SDK client fails to connect, with the sidecar’s explanation', async (t) => {
      const client = new Client({ name: 'mcp-sidecar-scale-test', version: '1.0.0' });
      t.teardown(() => client.close());
      const started = Date.now();
      // initialize creates a session on one replica; notifications/initialized goes to the other one.
      const err = (await within(STEP_MS, 'connect', client.connect(new StreamableHTTPClientTransport(new URL(url)), { timeout: STEP_MS })).then(
        () => undefined,
        (e: unknown) => e,
      )) as (Error & { code?: number }) | undefined;
      t.ok(err, 'connect rejects');
      t.equal(err?.code, 404, 'HTTP 404');
      t.match(err?.message, /Session not found/);
      t.match(err?.message, /sticky sessions/);
      t.ok(Date.now() - started < 10_000, `fails fast (${Date.now() - started} ms)`);
    });

    await t.test('on the wire: initialize answers with a session id, the next call with that id is 404', async (t) => {
      const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18' };
      const init = await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
        signal: AbortSignal.timeout(STEP_MS),
      });
      await init.text();
      t.equal(init.status, 200);
      const sid = init.headers.get('mcp-session-id');
      t.ok(sid, 'a session id');
      const next = await fetch(url, {
        method: 'POST',
        headers: { ...headers, 'mcp-session-id': sid! },
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
        signal: AbortSignal.timeout(STEP_MS),
      });
      t.equal(next.status, 404);
      const body = (await next.json()) as { error?: { code: number; message: string } };
      t.equal(body.error?.code, -32001);
      t.match(body.error?.message, new RegExp(`Session not found: ${sid} .*another replica.*sticky sessions`));
      const hosts = lb.accessLog().slice(-2).map((l) => l.split(' ').at(-1));
      t.not(hosts[0], hosts[1], `nginx sent them to different replicas: ${hosts.join(', ')}`);
    });
  });

  await t.test('with session affinity (ip_hash) every request of the session reaches its replica', async (t) => {
    const lb = await startNginx(t, replicas, 'ip_hash;');
    const client = await connect(t, `${lb.url}/mcp`);
    const served = new Set<string>();
    for (let n = 0; n < 10; n++) {
      const result = await within(STEP_MS, `call ${n}`, client.callTool({ name: 'whoami', arguments: { n } }, undefined, { timeout: STEP_MS }));
      t.notOk(result.isError, `call ${n}`);
      served.add((result.structuredContent as { backend: string }).backend);
    }
    t.equal(served.size, 1, `one replica served the whole session (${[...served].join()})`);
  });
});
