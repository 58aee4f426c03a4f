// `npm run bench`: the sidecar measured against a direct call to the same upstream, in one run.
// See docs/benchmarks.md for how to read the figures.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { startIssuer } from './jwt.js';
import { runLoad, type LoadResult, type Target } from './load.js';
import { memoryOf, spawnSidecar, spawnWithPort, stopChild, waitReady } from './procs.js';
import { profileBench, shapingBench } from './shaping.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,8,64').split(',').map(Number);
const ONLY = new Set((process.env.BENCH_ONLY ?? 'throughput,auth,audit,memory,reload,bigspec,shaping,profiles').split(','));
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

/** The same call as a 2026-07-28 client sends it: version and capabilities in _meta, mirrored headers. */
const MODERN_HEADERS = { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'getItem' };
const MODERN_META = '"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":{"name":"bench","version":"1"}}';

function mcpTarget(origin: string, headers: Record<string, string> = {}, endpoint = '/mcp', modern = false): Target {
  return {
    origin,
    request: (n) => ({
      path: endpoint,
      method: 'POST',
      headers: { ...MCP_HEADERS, ...(modern ? MODERN_HEADERS : {}), ...headers },
      body: `{"jsonrpc":"2.0","id":${n},"method":"tools/call","params":{"name":"getItem","arguments":{"id":${n}}${modern ? `,${MODERN_META}` : ''}}}`,
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
  /** Median over rounds of direct ÷ sidecar req/s, the targets of a round run back to back. */
  ratio: number;
  /** For a variant (JWT, audit): median over rounds of auth-off sidecar ÷ this variant's req/s. */
  vsAuthOff?: number;
  addedP50: number;
  addedP99: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Medians per field over rounds, errors summed. */
function summarise(xs: LoadResult[]): LoadResult {
  const m = (k: keyof LoadResult) => median(xs.map((x) => x[k]));
  return { requests: xs.reduce((n, x) => n + x.requests, 0), errors: xs.reduce((n, x) => n + x.errors, 0), seconds: m('seconds'), rps: m('rps'), p50: m('p50'), p90: m('p90'), p99: m('p99') };
}

/**
 * Runs every target back to back in each round, reversing the order every other round, so the
 * machine's drift (this shared 2-core VM drifts by tens of percent within seconds) hits all of them
 * alike; ratios are medians of per-round ratios. Returns each target's rounds.
 */
async function rounds(targets: Record<string, Target>, c: number): Promise<Record<string, LoadResult[]>> {
  const names = Object.keys(targets);
  const runs: Record<string, LoadResult[]> = Object.fromEntries(names.map((k) => [k, []]));
  for (const k of names) await runLoad(targets[k]!, c, 0.5);
  for (let r = 0; r < ROUNDS; r++) {
    for (const k of r % 2 === 0 ? names : [...names].reverse()) runs[k]!.push(await runLoad(targets[k]!, c, SECONDS));
  }
  return runs;
}

function row(scenario: string, c: number, runs: Record<string, LoadResult[]>, key: string): Row {
  const perRound = (a: string, b: string) => median(runs[a]!.map((x, i) => x.rps / runs[b]![i]!.rps));
  const direct = summarise(runs.direct!);
  const sidecar = summarise(runs[key]!);
  return {
    scenario,
    concurrency: c,
    direct,
    sidecar,
    ratio: perRound('direct', key),
    ...(key !== 'off' && key !== 'floor' && runs.off ? { vsAuthOff: perRound('off', key) } : {}),
    addedP50: sidecar.p50 - direct.p50,
    addedP99: sidecar.p99 - direct.p99,
  };
}

function printRows(rows: Row[]): void {
  const f = (n: number, d = 0) => n.toFixed(d).padStart(8);
  console.log('\nscenario          c   direct req/s  req/s     ratio  vs auth off   p50 d/s (ms)     p90 d/s (ms)     p99 d/s (ms)    +p99 ms  errors');
  for (const r of rows) {
    const vs = r.vsAuthOff === undefined ? '      –' : `${r.vsAuthOff.toFixed(2).padStart(6)}×`;
    console.log(
      `${r.scenario.padEnd(16)} ${String(r.concurrency).padStart(3)} ${f(r.direct.rps)}  ${f(r.sidecar.rps)}   ${r.ratio.toFixed(2).padStart(5)}×  ${vs}    ${f(r.direct.p50, 2)} ${f(r.sidecar.p50, 2)} ${f(r.direct.p90, 2)} ${f(r.sidecar.p90, 2)} ${f(r.direct.p99, 2)} ${f(r.sidecar.p99, 2)} ${f(r.addedP99, 2)}  ${r.direct.errors + r.sidecar.errors}`,
    );
  }
}

interface Variant {
  key: string;
  scenario: string;
  port: number;
  endpoint: string;
  auth: boolean;
  /** Measured at c=8 only: each answers one question, not a curve. */
  c8Only: boolean;
  /** Sent as MCP 2026-07-28 requests (same endpoint as auth off: "vs auth off" is 2025 ÷ 2026). */
  modern?: boolean;
}

/**
 * The sidecar with auth off, with JWT auth on, with the audit log on, and a second auth-off process,
 * measured in the same rounds as the direct call and the floor (a bare node:http JSON-RPC hop,
 * bench/floor.ts). Auth off and JWT are two endpoints of one process, so the JWT figure is the cost of
 * auth alone: two identical processes on this VM differ by up to ~10 % (the second auth-off process
 * shows by how much in each run). The audit log is a process-wide setting, so it has its own process.
 */
async function throughput(upstreamUrl: string, floorUrl: string, results: Record<string, unknown>): Promise<void> {
  writeFileSync(path.join(work, 'spec.yaml'), readFileSync(path.join(root, 'bench/spec.yaml'), 'utf8'));
  const withAuth = ONLY.has('auth');
  const withAudit = ONLY.has('audit');
  const variants: Variant[] = [
    { key: 'off', scenario: 'auth off', port: 18931, endpoint: '/mcp', auth: false, c8Only: false },
    { key: 'modern', scenario: 'MCP 2026-07-28', port: 18931, endpoint: '/mcp', auth: false, c8Only: false, modern: true },
    ...(withAuth ? [{ key: 'jwt', scenario: 'JWT auth on', port: 18931, endpoint: '/mcp/auth', auth: true, c8Only: false }] : []),
    ...(withAudit
      ? [
          { key: 'audit', scenario: 'audit log on', port: 18934, endpoint: '/mcp', auth: false, c8Only: true },
          { key: 'off2', scenario: 'auth off, 2nd proc', port: 18937, endpoint: '/mcp', auth: false, c8Only: true },
        ]
      : []),
  ];
  const issuer = withAuth ? await startIssuer('http://127.0.0.1:18931/mcp/auth') : undefined;
  const server = (endpoint: string, auth: boolean) =>
    `\n  - path: ${endpoint}\n    spec: ./spec.yaml\n    upstream: { baseUrl: ${upstreamUrl} }` +
    (auth && issuer ? `\n    auth: { provider: oidc, issuer: ${issuer.issuer}, jwksUri: ${issuer.jwksUri}, resource: http://127.0.0.1:18931${endpoint} }` : '');
  const ports = [...new Set(variants.map((v) => v.port))];
  const running = ports.map((port) => {
    const configFile = path.join(work, `config-${port}.yaml`);
    const audit = variants.some((v) => v.port === port && v.key === 'audit');
    // One server per endpoint: the 2026 variant calls the auth-off endpoint.
    const servers = [...new Map(variants.filter((v) => v.port === port).map((v) => [v.endpoint, server(v.endpoint, v.auth)])).values()];
    writeFileSync(configFile, `listen: { port: ${port} }\nlogging: { level: info }\naudit: { enabled: ${audit}, file: ./audit-${port}.log }\nservers:${servers.join('')}\n`);
    return { port, proc: spawnSidecar(configFile) };
  });
  const rows: Row[] = [];
  try {
    for (const { port } of running) await waitReady(`http://127.0.0.1:${port}/readyz`);
    for (const c of CONCURRENCY) {
      const shown = variants.filter((v) => !v.c8Only || c === (CONCURRENCY.includes(8) ? 8 : CONCURRENCY[0]));
      const targets: Record<string, Target> = { direct: directTarget(upstreamUrl), floor: mcpTarget(floorUrl) };
      for (const v of shown) targets[v.key] = mcpTarget(`http://127.0.0.1:${v.port}`, v.auth && issuer ? { authorization: `Bearer ${issuer.token}` } : {}, v.endpoint, v.modern);
      const runs = await rounds(targets, c);
      const batch = [row('floor (bare hop)', c, runs, 'floor'), ...shown.map((v) => row(v.scenario, c, runs, v.key))];
      printRows(batch);
      rows.push(...batch);
    }
    const off = running.find(({ port }) => port === 18931)!;
    if (ONLY.has('memory')) results.memory = await memory(off.proc.child.pid!, 'http://127.0.0.1:18931');
  } finally {
    await Promise.all(running.map(({ proc }) => proc.stop()));
    issuer?.close();
  }
  results.throughput = rows;
  console.log('\nsummary (ratio = direct ÷ target throughput, lower is better; vs auth off = auth-off sidecar ÷ this one, same rounds):');
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

/** GitHub's REST spec (≈1,200 operations): start → ready, first tools/list, peak RSS, list latency; median of 3 starts. */
async function bigSpec(results: Record<string, unknown>): Promise<void> {
  const spec = path.join(root, 'node_modules/@octokit/openapi/generated/api.github.com.json');
  const configFile = path.join(work, 'github.yaml');
  // tools.mode flat: this measures serving the whole 3.9 MB list (auto would serve search mode).
  writeFileSync(configFile, `listen: { port: 18932 }\nlogging: { level: warn }\nservers:\n  - path: /mcp\n    spec: ${spec}\n    tools: { mode: flat }\n`);
  const list = async () => {
    const t = performance.now();
    const res = await request('http://127.0.0.1:18932/mcp', { method: 'POST', headers: MCP_HEADERS, body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' });
    const text = await res.body.text();
    return { ms: performance.now() - t, bytes: Buffer.byteLength(text), tools: (JSON.parse(text) as { result: { tools: unknown[] } }).result.tools.length };
  };
  // Beside each start, the machine's own floor: a node process that only starts an HTTP server and
  // answers /readyz. This VM's speed drifts by tens of percent, so the ratio of the two is also given.
  const nodeStart = async (): Promise<number> => {
    const t0 = performance.now();
    const bare = spawn(process.execPath, ['-e', `require('node:http').createServer((q, s) => s.end('ok')).listen(18935, '127.0.0.1')`], { stdio: 'ignore' });
    await waitReady('http://127.0.0.1:18935/readyz');
    const ms = performance.now() - t0;
    await stopChild(bare);
    return ms;
  };
  const runs: { tools: number; readyMs: number; nodeStartMs: number; firstListMs: number; listP50Ms: number; listBytes: number; peakRssMb: number }[] = [];
  for (let i = 0; i < 3; i++) {
    const nodeStartMs = await nodeStart();
    const t0 = performance.now();
    const sidecar = spawnSidecar(configFile);
    try {
      await waitReady('http://127.0.0.1:18932/readyz', 60_000);
      const readyMs = performance.now() - t0;
      const first = await list();
      const firstListMs = performance.now() - t0;
      const times: number[] = [];
      for (let j = 0; j < 20; j++) times.push((await list()).ms);
      runs.push({ tools: first.tools, readyMs, nodeStartMs, firstListMs, listP50Ms: median(times), listBytes: first.bytes, peakRssMb: memoryOf(sidecar.child.pid!).peakMb });
    } finally {
      await sidecar.stop();
    }
  }
  const m = (k: keyof (typeof runs)[number]) => median(runs.map((r) => r[k]));
  const out = { tools: runs[0]!.tools, readyMs: m('readyMs'), firstListMs: m('firstListMs'), listP50Ms: m('listP50Ms'), listBytes: runs[0]!.listBytes, listTokens: Math.ceil(runs[0]!.listBytes / 4), peakRssMb: m('peakRssMb'), nodeStartMs: m('nodeStartMs'), readyVsNode: median(runs.map((r) => r.readyMs / r.nodeStartMs)), runs };
  console.log(
    `\nGitHub spec (median of 3 starts): ${out.tools} tools; ready in ${out.readyMs.toFixed(0)} ms (a bare node HTTP server: ${out.nodeStartMs.toFixed(0)} ms; ${out.readyVsNode.toFixed(1)}×); first tools/list answered ${out.firstListMs.toFixed(0)} ms after start; tools/list p50 ${out.listP50Ms.toFixed(1)} ms, ${(out.listBytes / 1e6).toFixed(2)} MB (≈${out.listTokens.toLocaleString('en-US')} tokens); peak RSS ${out.peakRssMb.toFixed(0)} MB`,
  );
  results.bigSpec = out;
}

/**
 * Hot reload: from writing a changed spec file to the new tool being listed, with the default
 * debounce (250 ms) that waits for editors to finish writing; median of 5 edits.
 */
async function reloadTime(upstreamUrl: string, results: Record<string, unknown>): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcp-sidecar-bench-reload-'));
  const base = readFileSync(path.join(root, 'bench/spec.yaml'), 'utf8');
  writeFileSync(path.join(dir, 'spec.yaml'), base);
  const configFile = path.join(dir, 'config.yaml');
  writeFileSync(configFile, `listen: { port: 18936 }\nlogging: { level: warn }\nservers:\n  - path: /mcp\n    spec: ./spec.yaml\n    upstream: { baseUrl: ${upstreamUrl} }\n`);
  const sidecar = spawnSidecar(configFile);
  const times: number[] = [];
  try {
    await waitReady('http://127.0.0.1:18936/readyz');
    for (let i = 0; i < 5; i++) {
      const name = `added${i}`;
      const t0 = performance.now();
      writeFileSync(path.join(dir, 'spec.yaml'), `${base}\n  /added/${i}:\n    get: { operationId: ${name}, responses: { '200': { description: ok } } }\n`);
      for (;;) {
        const res = await request('http://127.0.0.1:18936/mcp', { method: 'POST', headers: MCP_HEADERS, body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' });
        if ((await res.body.text()).includes(`"${name}"`)) break;
        if (performance.now() - t0 > 10_000) throw new Error('reload not seen within 10 s');
        await new Promise((r) => setTimeout(r, 5));
      }
      times.push(performance.now() - t0);
    }
  } finally {
    await sidecar.stop();
  }
  results.reload = { medianMs: median(times), times, debounceMs: 250 };
  console.log(`\nreload: spec file written → new tool listed in ${median(times).toFixed(0)} ms (median of 5; includes the 250 ms default debounce)`);
}

async function main(): Promise<void> {
  const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, seconds: SECONDS, rounds: ROUNDS };
  console.log(`mcp-sidecar bench: node ${process.version}, ${cpus().length} cores; ${ROUNDS} rounds of ${SECONDS}s per target, order reversed each round, medians reported`);
  const upstream = await spawnWithPort(process.execPath, ['--import', 'tsx', path.join(root, 'bench/upstream.ts')]);
  const upstreamUrl = `http://127.0.0.1:${upstream.port}`;
  const floor = ONLY.has('throughput') ? await spawnWithPort(process.execPath, ['--import', 'tsx', path.join(root, 'bench/floor.ts'), upstreamUrl]) : undefined;
  try {
    if (floor) await throughput(upstreamUrl, `http://127.0.0.1:${floor.port}`, results);
    if (ONLY.has('reload')) await reloadTime(upstreamUrl, results);
    if (ONLY.has('bigspec')) await bigSpec(results);
    if (ONLY.has('shaping')) shapingBench(results);
    if (ONLY.has('profiles')) await profileBench(root, work, results);
  } finally {
    await floor?.stop();
    await upstream.stop();
  }
  await mkdir(path.join(root, 'bench/results'), { recursive: true });
  await writeFile(path.join(root, 'bench/results/latest.json'), JSON.stringify(results, null, 2));
  console.log('\nwrote bench/results/latest.json');
}

await main();
