/**
 * Every way of naming a spec on the command line reaches the same loader: `serve <spec>` with a relative
 * path, and `stdio <name> --openapi <absolute path>`, here on DigitalOcean's real multi-file tree (one
 * root file, 2,850 files by $ref), with the real SDK client calling a tool against a real upstream.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { repoRoot, serve } from '../helpers/cli.js';
import { connectClient } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';

const relative = '../shared/openapi-corpus-fetched/digitalocean-multifile/specification/DigitalOcean-public.v2.yaml';
const absolute = path.resolve(repoRoot, relative);
// Loading 2,850 files takes 10–30 s on a busy machine.
t.setTimeout(180_000);

if (!existsSync(absolute)) {
  // As in test/openapi/corpus.test.ts: ../shared is the workspace's, absent from a clone elsewhere.
  t.test('the DigitalOcean multi-file tree through the CLI', { skip: `${absolute} is not there` }, () => {});
} else {
  const api = await startUpstream((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ path: req.url }));
  });
  t.teardown(() => api.close());

  // Both processes start at once (a long load each); each test then drives its own.
  const http = serve(t, ['serve', relative, '--base-url', api.url, '--port', '0'], {}, { timeoutMs: 120_000 });
  const stdio = (async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['--import', 'tsx', 'src/main.ts', 'stdio', 'digitalocean', '--openapi', absolute, '--url', api.url],
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '' },
      stderr: 'pipe',
    });
    const client = new Client({ name: 'spec-sources-test', version: '1.0.0' });
    t.teardown(() => client.close());
    await client.connect(transport, { timeout: 120_000 });
    return client;
  })();
  http.catch(() => undefined);
  stdio.catch(() => undefined);

  t.test('serve <relative path to a multi-file spec> --base-url serves it, and its tools call the upstream', async (t) => {
    const s = await http;
    t.match(s.stderr(), /MCP endpoint .*\/mcp \(default: 658 tools, stateless\)/);
    t.match(s.stderr(), /inference_upload_batch_file\): its servers\[0\]\.url \\"https:\/\/\\" is not an http\(s\) URL; no tool for it/, 'the one operation without a usable URL is named in a warning');
    const client = await connectClient(t, `${s.url}/mcp`);
    const result = await client.callTool({ name: 'droplets_list', arguments: { per_page: 2 } });
    t.notOk(result.isError);
    t.same(result.structuredContent, { path: '/v2/droplets?per_page=2' });
    t.equal(api.requests.at(-1)?.method, 'GET');
    s.child.kill('SIGTERM');
    t.equal((await s.exit).code, 0);
  });

  t.test('stdio <name> --openapi <absolute path> --url serves the same tree over stdio', async (t) => {
    const client = await stdio;
    // 658 tools are past tools.budget, so tools.mode auto serves the meta-tools; found tools stay callable.
    const { tools } = await client.listTools();
    t.same(tools.map((x) => x.name), ['search_tools', 'describe_tools', 'call_tool']);
    const found = await client.callTool({ name: 'search_tools', arguments: { query: 'show my account' } });
    t.match((found.content as { text: string }[])[0]?.text, /account_get/);
    const result = await client.callTool({ name: 'account_get', arguments: {} });
    t.notOk(result.isError);
    t.same(result.structuredContent, { path: '/v2/account' });
  });
}
