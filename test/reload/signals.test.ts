import t, { type Test } from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { serve } from '../helpers/cli.js';
import { spec30 } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';
import { until } from '../helpers/wait.js';

// SIGHUP reloads a real `serve` process whose file watcher is off. (SIGTERM draining an in-flight
// call is proven by test/cli/serve.test.ts.)

/** `mcp-sidecar serve -c <file> --port 0` from source. */
const serveFile = (t: Pick<Test, 'teardown'>, configFile: string) => serve(t, ['serve', '-c', configFile, '--port', '0']);

const rpc = async (url: string, method: string, params?: object) => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(5000),
  });
  return { status: res.status, body: (await res.json()) as { result?: any; error?: { code: number } } };
};
const toolNames = async (url: string) => ((await rpc(`${url}/mcp`, 'tools/list')).body.result.tools as { name: string }[]).map((x) => x.name).sort();
const lastReload = async (url: string) =>
  ((await (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5000) })).json()) as { generation: number; lastReload?: { reason: string; result: string; at: string; problems?: unknown[] } });

const op = (operationId: string) => ({
  [`/${operationId}`]: { get: { operationId, responses: { '200': { description: 'ok', content: { 'application/json': { schema: { type: 'object' } } } } } } },
});
const api = await startUpstream();
t.teardown(() => api.close());

/** A temp folder with a spec of tools one, two, three and a config with the watcher off. */
function configDir(t: Test) {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcp-sidecar-signals-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'spec.yaml'), stringify(spec30({ ...op('one'), ...op('two'), ...op('three') })));
  const file = path.join(dir, 'config.yaml');
  const write = (server: object = {}) =>
    writeFileSync(file, stringify({ logging: { level: 'info' }, audit: { enabled: false }, reload: { watch: false }, servers: [{ path: '/mcp', spec: './spec.yaml', upstream: { baseUrl: api.url }, ...server }] }));
  write();
  return { file, write };
}

// Both processes start at once (a Node start-up each); each test drives and stops its own.
const dirA = configDir(t);
const dirB = configDir(t);
const started = { edit: serveFile(t, dirA.file), broken: serveFile(t, dirB.file) };
for (const p of Object.values(started)) p.catch(() => undefined); // awaited (and reported) by its test

t.test('SIGHUP after editing the config switches the tools of a running serve process whose watcher is off', async (t) => {
  const s = await started.edit;
  t.same(await toolNames(s.url), ['one', 'three', 'two']);
  t.equal((await lastReload(s.url)).lastReload, undefined, 'no reload yet');

  dirA.write({ tools: { exclude: { operations: ['two'] } } });
  s.child.kill('SIGHUP');
  const last = await until('the SIGHUP reload', async () => (await lastReload(s.url)).lastReload);
  t.match(last, { reason: 'SIGHUP', result: 'success' });
  t.same(await toolNames(s.url), ['one', 'three'], 'the edited config is served');
  const call = await rpc(`${s.url}/mcp`, 'tools/call', { name: 'one', arguments: {} });
  t.match(call.body.result, { structuredContent: { url: '/one' } }, 'and its tools call the upstream');
  await until('the "config reloaded" log line', () => (/"reason":"SIGHUP".*"msg":"config reloaded"/.test(s.stderr()) ? true : undefined));

  s.child.kill('SIGTERM');
  t.same(await s.exit, { code: 0, signal: null }, 'SIGHUP did not end the process; SIGTERM exits 0');
});

t.test('SIGHUP with a broken config keeps the process and its old tools up, and a SIGHUP after the fix applies it', async (t) => {
  const s = await started.broken;
  const before = await lastReload(s.url);

  writeFileSync(dirB.file, 'servers:\n  - spec: ./spec.yaml\n    sessions: sticky\n');
  s.child.kill('SIGHUP');
  const failed = await until('the failed SIGHUP reload', async () => (await lastReload(s.url)).lastReload);
  t.match(failed, { reason: 'SIGHUP', result: 'failure', problems: [{ line: 3, path: 'servers[0].sessions' }] });
  t.equal((await lastReload(s.url)).generation, before.generation, 'the old snapshot keeps serving');
  t.same(await toolNames(s.url), ['one', 'three', 'two']);
  await until('the "reload failed" log line', () => (/"reason":"SIGHUP".*"msg":"reload failed; the previous config keeps serving"/.test(s.stderr()) ? true : undefined));

  dirB.write({ tools: { include: { operations: ['three'] } } });
  s.child.kill('SIGHUP');
  const fixed = await until('the next SIGHUP reload', async () => {
    const last = (await lastReload(s.url)).lastReload;
    return last && last.at !== failed.at ? last : undefined;
  });
  t.match(fixed, { reason: 'SIGHUP', result: 'success' });
  t.same(await toolNames(s.url), ['three']);

  s.child.kill('SIGTERM');
  t.equal((await s.exit).code, 0);
});
