// `npm run bench`: the sidecar measured against a direct call to the same upstream, in one run.
// See docs/benchmarks.md for how to read the figures.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { startIssuer } from './jwt.js';
import { runLoad, type LoadResult, type Target } from './load.js';
import { memoryOf, spawnSidecar, spawnWithPort, waitReady } from './procs.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,8,64').split(',').map(Number);
const ONLY = new Set((process.env.BENCH_ONLY ?? 'throughput,auth,memory,bigspec').split(','));
const root = path.resolve(import.meta.dirname, '..');
const work = mkdtempSync(path.join(tmpdir(), 'mcp-sidecar-bench-'));
const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' };

function directTarget(origin: string): Target {
  return {
    origin,
    request: (n) => ({ path: `/items/${n}`, method: 'GET', headers: {} }),
    verify: (n, status, body) => status === 200 && (JSON.parse(body) as { id: number }).id === n,
  };
}

function mcpTarget(origin: string, headers: Record<string, string> = {}): Target {
  return {
    origin,
    request: (n) => ({
      path: '/mcp',
      method: 'POST',
      headers: { ...MCP_HEADERS, ...headers },
      body: `{"jsonrpc":"2.0","id":${n},"method":"tools/call","params":{"name":"getItem","arguments":{"id":${n}}}}`,
    }),
    verify: (n, status, body) => {
      if (status !== 200) return false;
      const msg = JSON.parse(body) as { id: number; result?: { isError?: boolean; structuredContent?: { id: number } } };
      return msg.id === n && msg.result?.isError !== true && msg.result?.structuredContent?.id === n;
    },
  };
}

interface Row {
  scenario: string;
  concurrency: number;
  direct: LoadResult;
  sidecar: LoadResult;
  ratio: number;
  addedP50: number;
  addedP99: number;
}

/** Alternates direct and sidecar rounds so drift on the machine hits both alike; keeps the best round of each. */
async function compare(scenario: string, direct: Target, sidecar: Target, c: number): Promise<Row> {
  const d: LoadResult[] = [];
  const s: LoadResult[] = [];
  await runLoad(direct, c, 0.5);
  await runLoad(sidecar, c, 0.5);
  for (let r = 0; r < ROUNDS; r++) {
    d.push(await runLoad(direct, c, SECONDS));
    s.push(await runLoad(sidecar, c, SECONDS));
  }
  const best = (xs: LoadResult[]) => xs.reduce((a, b) => (b.rps > a.rps ? b : a));
  const merged = (xs: LoadResult[]) => ({ ...best(xs), errors: xs.reduce((n, x) => n + x.errors, 0) });
  const dd = merged(d);
  const ss = merged(s);
  return { scenario, concurrency: c, direct: dd, sidecar: ss, ratio: dd.rps / ss.rps, addedP50: ss.p50 - dd.p50, addedP99: ss.p99 - dd.p99 };
}

function printRows(rows: Row[]): void {
  const f = (n: number, d = 0) => n.toFixed(d).padStart(8);
  console.log('\nscenario        c   direct req/s  sidecar req/s  ratio   p50 d/s (ms)     p90 d/s (ms)     p99 d/s (ms)    +p99 ms  errors');
  for (const r of rows) {
    console.log(
      `${r.scenario.padEnd(14)} ${String(r.concurrency).padStart(3)} ${f(r.direct.rps)}      ${f(r.sidecar.rps)}     ${r.ratio.toFixed(2).padStart(5)}×  ${f(r.direct.p50, 2)} ${f(r.sidecar.p50, 2)} ${f(r.direct.p90, 2)} ${f(r.sidecar.p90, 2)} ${f(r.direct.p99, 2)} ${f(r.sidecar.p99, 2)} ${f(r.addedP99, 2)}  ${r.direct.errors + r.sidecar.errors}`,
    );
  }
}

async function throughput(upstreamUrl: string, results: Record<string, unknown>): Promise<void> {
  writeFileSync(path.join(work, 'spec.yaml'), readFileSync(path.join(root, 'bench/spec.yaml'), 'utf8'));
  const rows: Row[] = [];
  for (const auth of [false, true]) {
    if (auth && !ONLY.has('auth')) continue;
    const port = auth ? 18933 : 18931;
    const issuer = auth ? await startIssuer(`http://127.0.0.1:${port}/mcp`) : undefined;
    const configFile = path.join(work, `config-${port}.yaml`);
    const authYaml = issuer ? `\n    auth: { provider: oidc, issuer: ${issuer.issuer}, jwksUri: ${issuer.jwksUri}, resource: http://127.0.0.1:${port}/mcp }` : '';
    writeFileSync(configFile, `listen: { port: ${port} }\nlogging: { level: info }\naudit: { enabled: false }\nservers:\n  - path: /mcp\n    spec: ./spec.yaml\n    upstream: { baseUrl: ${upstreamUrl} }${authYaml}\n`);
    const sidecar = spawnSidecar(configFile);
    try {
      await waitReady(`http://127.0.0.1:${port}/readyz`);
      const headers: Record<string, string> = issuer ? { authorization: `Bearer ${issuer.token}` } : {};
      for (const c of CONCURRENCY) {
        rows.push(await compare(auth ? 'JWT auth on' : 'auth off', directTarget(upstreamUrl), mcpTarget(`http://127.0.0.1:${port}`, headers), c));
        printRows(rows.slice(-1));
      }
      if (!auth && ONLY.has('memory')) results.memory = await memory(sidecar.child.pid!, `http://127.0.0.1:${port}`);
    } finally {
      await sidecar.stop();
      issuer?.close();
    }
  }
  results.throughput = rows;
  console.log('\nsummary (direct ÷ sidecar throughput, lower is better):');
  printRows(rows);
}

/** RSS after 10k calls and after 100k calls: a leak shows as growth between the two. */
async function memory(pid: number, origin: string): Promise<Record<string, number>> {
  const target = mcpTarget(origin);
  await runLoad(target, 8, 600, 10_000);
  const at10k = memoryOf(pid).rssMb;
  await runLoad(target, 8, 600, 90_000);
  const at100k = memoryOf(pid).rssMb;
  const growth = (at100k - at10k) / at10k;
  console.log(`\nmemory: RSS after 10k calls ${at10k.toFixed(1)} MB, after 100k ${at100k.toFixed(1)} MB (${(growth * 100).toFixed(1)} %)`);
  return { rssAfter10kMb: at10k, rssAfter100kMb: at100k, growth };
}

/** GitHub's REST spec (≈1,200 operations): start → ready, first tools/list, peak RSS, list latency. */
async function bigSpec(results: Record<string, unknown>): Promise<void> {
  const spec = path.join(root, 'node_modules/@octokit/openapi/generated/api.github.com.json');
  const configFile = path.join(work, 'github.yaml');
  writeFileSync(configFile, `listen: { port: 18932 }\nlogging: { level: warn }\nservers:\n  - path: /mcp\n    spec: ${spec}\n`);
  const t0 = performance.now();
  const sidecar = spawnSidecar(configFile);
  try {
    await waitReady('http://127.0.0.1:18932/readyz', 60_000);
    const readyMs = performance.now() - t0;
    const list = async () => {
      const t = performance.now();
      const res = await request('http://127.0.0.1:18932/mcp', { method: 'POST', headers: MCP_HEADERS, body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' });
      const text = await res.body.text();
      return { ms: performance.now() - t, bytes: Buffer.byteLength(text), tools: (JSON.parse(text) as { result: { tools: unknown[] } }).result.tools.length };
    };
    const first = await list();
    const firstListMs = performance.now() - t0;
    const times: number[] = [];
    for (let i = 0; i < 20; i++) times.push((await list()).ms);
    times.sort((a, b) => a - b);
    const mem = memoryOf(sidecar.child.pid!);
    const out = { tools: first.tools, readyMs, firstListMs, listP50Ms: times[10]!, listBytes: first.bytes, listTokens: Math.ceil(first.bytes / 4), peakRssMb: mem.peakMb };
    console.log(`\nGitHub spec: ${out.tools} tools; ready in ${readyMs.toFixed(0)} ms; first tools/list answered ${firstListMs.toFixed(0)} ms after start; tools/list p50 ${out.listP50Ms.toFixed(1)} ms, ${(out.listBytes / 1e6).toFixed(2)} MB (≈${out.listTokens.toLocaleString('en-US')} tokens); peak RSS ${mem.peakMb.toFixed(0)} MB`);
    results.bigSpec = out;
  } finally {
    await sidecar.stop();
  }
}

async function main(): Promise<void> {
  const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, seconds: SECONDS, rounds: ROUNDS };
  console.log(`mcp-sidecar bench: node ${process.version}, ${cpus().length} cores; ${ROUNDS} alternating rounds of ${SECONDS}s, best round kept`);
  const upstream = await spawnWithPort(process.execPath, ['--import', 'tsx', path.join(root, 'bench/upstream.ts')]);
  try {
    if (ONLY.has('throughput')) await throughput(`http://127.0.0.1:${upstream.port}`, results);
    if (ONLY.has('bigspec')) await bigSpec(results);
  } finally {
    await upstream.stop();
  }
  await mkdir(path.join(root, 'bench/results'), { recursive: true });
  await writeFile(path.join(root, 'bench/results/latest.json'), JSON.stringify(results, null, 2));
  console.log('\nwrote bench/results/latest.json');
}

await main();
