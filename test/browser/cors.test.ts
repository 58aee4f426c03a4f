import t from 'tap';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { spec30, startTestSidecar } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';

// A real browser (Debian's Chromium, driven by playwright-core) on one origin talking MCP to the
// sidecar on another: CORS as the browser enforces it, not as a test client imagines it.

const CHROMIUM = '/usr/bin/chromium';
const STEP_MS = 10_000;
t.setTimeout(50_000);

const playwright = await import('playwright-core').catch(() => undefined);
const skip = !existsSync(CHROMIUM)
  ? `${CHROMIUM} is not installed (apt-get install -y chromium)`
  : !playwright
    ? 'playwright-core is not installed (npm install -D playwright-core)'
    : false;

// The page's origin: a plain node:http server on its own port.
const pageHtml = readFileSync(fileURLToPath(new URL('../fixtures/browser/mcp-page.html', import.meta.url)));
const pageServer = createServer((req, res) => {
  if ((req.url ?? '').startsWith('/page.html')) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(pageHtml);
  } else {
    res.writeHead(404);
    res.end();
  }
});
await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
t.teardown(() => new Promise<void>((resolve) => (pageServer.closeAllConnections(), pageServer.close(() => resolve()))));
const pageOrigin = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}`;

const upstream = await startUpstream();
t.teardown(() => upstream.close());
const op = (operationId: string) => ({ [`/${operationId}`]: { get: { operationId, responses: { '200': { description: 'ok' } } } } });
const sidecar = await startTestSidecar(t, {
  config: {
    reload: { watch: false },
    servers: [
      { name: 'open', path: '/mcp/open', spec: './api.yaml', upstream: { baseUrl: upstream.url }, cors: { allowedOrigins: ['https://app.example.com', pageOrigin] } },
      { name: 'session', path: '/mcp/session', sessions: 'stateful', spec: './api.yaml', upstream: { baseUrl: upstream.url }, cors: { allowedOrigins: [pageOrigin] } },
      // An issuer nothing listens on: enough for a 401 challenge.
      { name: 'secured', path: '/mcp/secured', spec: './api.yaml', upstream: { baseUrl: upstream.url }, cors: { allowedOrigins: [pageOrigin] }, auth: { provider: 'oidc', issuer: 'http://127.0.0.1:9/', jwksUri: 'http://127.0.0.1:9/jwks' } },
      { name: 'shut', path: '/mcp/shut', spec: './api.yaml', upstream: { baseUrl: upstream.url }, cors: { allowedOrigins: ['https://app.example.com'] } },
    ],
  },
  files: { 'api.yaml': spec30({ ...op('listPets'), ...op('deletePets') }) },
});

let context: BrowserContext | undefined;
if (!skip) {
  const profile = mkdtempSync(path.join(tmpdir(), 'mcp-sidecar-chromium-'));
  // The browser first, then its profile.
  t.teardown(async () => {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
  });
  // A persistent context is how Playwright takes a --user-data-dir: a fresh, empty profile per run.
  context = await playwright!.chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: 20_000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

interface PageResult {
  ok: boolean;
  error?: string;
  status?: number;
  headers?: Record<string, string | null>;
  body?: unknown;
  server?: string;
  protocolVersion?: string;
  tools?: string[];
}

/** Opens the page against `target` and returns what it reports in #result, and the console errors. */
async function runPage(query: Record<string, string>): Promise<{ result: PageResult; dom: PageResult; console: string[] }> {
  const page: Page = await context!.newPage();
  const console: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') console.push(m.text());
  });
  try {
    await page.goto(`${pageOrigin}/page.html?${new URLSearchParams(query)}`, { timeout: STEP_MS });
    await page.waitForSelector('#result[data-done="1"]', { timeout: STEP_MS });
    const dom = JSON.parse((await page.textContent('#result')) ?? '{}') as PageResult;
    const result = (await page.evaluate(() => (globalThis as unknown as { result: unknown }).result)) as PageResult;
    return { result, dom, console };
  } finally {
    await page.close();
  }
}

/** `mcp_sidecar_http_requests_total` for one server, method and status, from the real /metrics. */
async function requests(server: string, method: string, status: number): Promise<number> {
  const text = await (await fetch(`${sidecar.url}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
  const m = new RegExp(`^mcp_sidecar_http_requests_total\\{server="${server}",method="${method}",status="${status}"\\} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

t.test('a page on an allowed origin initializes and lists the tools across origins', { skip }, async (t) => {
  t.not(new URL(sidecar.url).origin, pageOrigin, `the page (${pageOrigin}) and the sidecar (${sidecar.url}) are different origins`);
  const { result, dom, console } = await runPage({ target: `${sidecar.url}/mcp/open` });
  t.same(result, dom, 'the DOM and the page state agree');
  t.match(result, { ok: true, server: 'mcp-sidecar/open', protocolVersion: '2025-06-18' }, `the page succeeded (${JSON.stringify(result)})`);
  t.same(result.tools?.sort(), ['deletePets', 'listPets'], 'and read the tool names');
  t.same(console, [], 'no CORS errors in the console');
  t.ok((await requests('open', 'OPTIONS', 204)) >= 1, 'the browser sent a preflight and it was granted');
});

t.test('a page on an origin that is not allowed gets a TypeError in the browser, and the sidecar answered 403', { skip }, async (t) => {
  const before = await requests('shut', 'OPTIONS', 403);
  const { result, console } = await runPage({ target: `${sidecar.url}/mcp/shut` });
  t.match(result, { ok: false, error: /^TypeError: Failed to fetch/ }, `the fetch failed (${JSON.stringify(result)})`);
  t.ok(
    console.some((line) => /blocked by CORS policy/.test(line)),
    `the console names CORS (${console.join(' | ')})`,
  );
  t.equal(await requests('shut', 'OPTIONS', 403), before + 1, 'the sidecar refused the preflight with 403');
  t.equal(await requests('shut', 'POST', 200), 0, 'and never answered a POST');
});

t.test('a "simple" cross-origin POST, which the browser sends without a preflight, is refused by the sidecar before any tool runs', { skip }, async (t) => {
  const upstreamBefore = upstream.requests.length;
  const before = await requests('shut', 'POST', 403);
  const { result } = await runPage({ target: `${sidecar.url}/mcp/shut`, simple: 'deletePets' });
  t.match(result, { ok: false, error: /^TypeError/ }, 'the page cannot read the answer');
  t.equal(await requests('shut', 'POST', 403), before + 1, 'the POST did reach the sidecar, which answered 403');
  t.equal(upstream.requests.length, upstreamBefore, 'and the upstream was never called');
});

t.test('a page on an allowed origin reads Mcp-Session-Id from a stateful server and lists the tools in that session', { skip }, async (t) => {
  const { result, console } = await runPage({ target: `${sidecar.url}/mcp/session`, read: 'mcp-session-id' });
  t.match(result, { ok: true, server: 'mcp-sidecar/session' }, `the page succeeded (${JSON.stringify(result)})`);
  t.match(result.headers?.['mcp-session-id'], /^[0-9a-f-]{36}$/, 'the browser let the page read the exposed session id');
  t.same(result.tools?.sort(), ['deletePets', 'listPets'], 'and tools/list in that session answered');
  t.same(console, []);
});

t.test('a page on an allowed origin reads the WWW-Authenticate challenge of a 401 from a server with auth', { skip }, async (t) => {
  const { result } = await runPage({ target: `${sidecar.url}/mcp/secured`, read: 'www-authenticate' });
  t.match(result, { ok: false, status: 401, body: { error: 'unauthorized' } }, `the page saw the 401 (${JSON.stringify(result)})`);
  t.match(result.headers?.['www-authenticate'], /^Bearer .*resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp\/secured"/, 'and the challenge that says where to log in');
});
