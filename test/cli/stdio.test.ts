import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { firstText } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = (name: string) => path.join(root, 'test/fixtures/config', name);

/** The real SDK client, spawning `mcp-sidecar <args>` from source and talking to it over stdio. */
async function connectStdio(t: Pick<Test, 'teardown'>, args: string[], env: Record<string, string> = {}): Promise<{ client: Client; stderr: () => string }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ['--import', 'tsx', 'src/main.ts', ...args],
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const client = new Client({ name: 'stdio-test', version: '1.0.0' });
  t.teardown(() => client.close());
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

const petsApi = await startUpstream((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ id: decodeURIComponent(req.url.split('/').pop() ?? ''), name: 'Rex' }));
});
const clockApi = await startUpstream((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"now":"12:00"}');
});
t.teardown(() => Promise.all([petsApi.close(), clockApi.close()]));

// Start every process at once (a Node start-up each); each test then checks its own.
const started = {
  pets: connectStdio(t, ['stdio', '-c', fixture('valid/two-servers.yaml'), '--server', 'pets'], { PETS_API_URL: petsApi.url }),
  single: connectStdio(t, ['stdio', 'test/fixtures/config/specs/clock.yaml', '--base-url', clockApi.url]),
  noServer: (() => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'stdio', '-c', fixture('valid/two-servers.yaml')], { cwd: root });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    return once(child, 'exit').then(([code]) => ({ code: code as number | null, stderr, stdout }));
  })(),
};
for (const p of Object.values(started)) p.catch(() => undefined); // awaited (and reported) by its test

t.test('stdio -c <config> --server pets serves that server to the SDK client and calls a real upstream', async (t) => {
  const upstream = petsApi;
  const { client, stderr } = await started.pets;

  t.match(client.getServerVersion(), { name: 'mcp-sidecar/pets', version: '2.1.0' });
  t.same(client.getServerCapabilities()?.tools, { listChanged: true });
  const { tools } = await client.listTools();
  t.same(tools.map((x) => x.name).sort(), ['createPet', 'getPet', 'listPets']);

  const result = await client.callTool({ name: 'getPet', arguments: { petId: 'a b' } });
  t.notOk(result.isError, firstText(result));
  t.same(result.structuredContent, { id: 'a b', name: 'Rex' });
  t.equal(upstream.requests.length, 1);
  t.equal(upstream.requests[0]!.url, '/pets/a%20b', 'path parameters are percent-encoded');

  const bad = await client.callTool({ name: 'getPet', arguments: {} }).then(
    () => undefined,
    (e: unknown) => e as { code?: number; message?: string },
  );
  t.equal(bad?.code, -32602, 'missing arguments are invalid params');
  t.match(bad?.message, /petId/);
  t.equal(upstream.requests.length, 1, 'an invalid call never reaches the upstream');

  for (const end = Date.now() + 5000; !stderr().includes('"msg":"tool call"') && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
  t.match(stderr(), /"msg":"tool call"/, 'logs go to stderr as JSON, stdout stays MCP only');
});

t.test('stdio with a single spec and no --server serves it', async (t) => {
  const { client } = await started.single;
  const { tools } = await client.listTools();
  t.same(tools.map((x) => x.name), ['getTime']);
  const result = await client.callTool({ name: 'getTime', arguments: {} });
  t.same(result.structuredContent, { now: '12:00' });
});

t.test('stdio without --server when no server is at /mcp exits 2 naming the choices', async (t) => {
  const { code, stderr, stdout } = await started.noServer;
  t.equal(code, 2);
  t.match(stderr, 'choose a server with --server (one of: pets, clock)');
  t.equal(stdout, '', 'nothing on stdout: it belongs to the protocol');
});
