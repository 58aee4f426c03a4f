import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../src/errors.js';
import { connectClient, firstText, spec30, startTestSidecar } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';

const op = (operationId: string) => ({ get: { operationId, responses: { '200': { description: 'ok' } } } });
const specV1 = spec30({ '/one': op('one'), '/two': op('two') });
const specV2 = spec30({ '/three': op('three') });

async function setup(t: Test) {
  const upstream = await startUpstream();
  t.teardown(() => upstream.close());
  const config = (extra: object = {}) => ({
    reload: { watch: false },
    servers: [{ path: '/mcp', spec: './v1.yaml', upstream: { baseUrl: upstream.url } }],
    ...extra,
  });
  const sidecar = await startTestSidecar(t, { config: config(), files: { 'v1.yaml': specV1, 'v2.yaml': specV2 } });
  return { upstream, sidecar, config };
}

const toolNames = async (url: string): Promise<string[]> => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  const body = (await res.json()) as { result: { tools: { name: string }[] } };
  return body.result.tools.map((x) => x.name).sort();
};

t.test('reload after editing the config file swaps in the new tools', async (t) => {
  const { sidecar, config } = await setup(t);
  t.same(await toolNames(`${sidecar.url}/mcp`), ['one', 'two']);
  const before = sidecar.holder.current.generation;

  const cfg = config();
  cfg.servers[0]!.spec = './v2.yaml';
  sidecar.writeConfig(cfg);
  const snapshot = await sidecar.reload();

  t.equal(snapshot.generation, before + 1);
  t.equal(sidecar.holder.current, snapshot, 'the new snapshot is current');
  t.same(await toolNames(`${sidecar.url}/mcp`), ['three']);
});

t.test('reload with nothing changed keeps the same snapshot, and force rebuilds it', async (t) => {
  const { sidecar } = await setup(t);
  const first = sidecar.holder.current;
  t.equal(await sidecar.reload(), first, 'unchanged files: no rebuild');
  const forced = await sidecar.reload({ force: true });
  t.not(forced, first);
  t.equal(forced.generation, first.generation + 1);
});

t.test('reload picks up an edited spec file, not just the config', async (t) => {
  const { sidecar } = await setup(t);
  writeFileSync(path.join(sidecar.dir, 'v1.yaml'), JSON.stringify(spec30({ '/four': op('four') })));
  await sidecar.reload();
  t.same(await toolNames(`${sidecar.url}/mcp`), ['four']);
});

t.test('a reload with a broken config throws CONFIG_INVALID and the old tools keep answering', async (t) => {
  const { sidecar, upstream } = await setup(t);
  const before = sidecar.holder.current;
  sidecar.writeConfig('servers:\n  - spec: ./v1.yaml\n    upstream:\n      timeout: soon\n');

  const err = await sidecar.reload().then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof AppError);
  t.equal((err as AppError).code, 'CONFIG_INVALID');
  t.match((err as AppError).problems, [{ file: sidecar.configFile, line: 4, path: 'servers[0].upstream.timeout' }]);
  t.equal(sidecar.holder.current, before, 'the old snapshot is still current');

  t.same(await toolNames(`${sidecar.url}/mcp`), ['one', 'two']);
  const client = await connectClient(t, `${sidecar.url}/mcp`);
  const result = await client.callTool({ name: 'one', arguments: {} });
  t.notOk(result.isError);
  t.match(firstText(result), /"url":"\/one"/);
  t.equal(upstream.requests.at(-1)?.url, '/one');
});

t.test('a reload whose spec is missing throws and keeps the old snapshot', async (t) => {
  const { sidecar, config } = await setup(t);
  const before = sidecar.holder.current;
  const cfg = config();
  cfg.servers[0]!.spec = './gone.yaml';
  sidecar.writeConfig(cfg);
  await t.rejects(sidecar.reload(), { code: 'CONFIG_INVALID' });
  t.equal(sidecar.holder.current, before);
  t.same(await toolNames(`${sidecar.url}/mcp`), ['one', 'two']);
});

t.test('after a failed reload, fixing the file reloads fine', async (t) => {
  const { sidecar, config } = await setup(t);
  sidecar.writeConfig('servers: [\n');
  await t.rejects(sidecar.reload(), { code: 'CONFIG_INVALID' });
  const cfg = config();
  cfg.servers[0]!.spec = './v2.yaml';
  sidecar.writeConfig(cfg);
  await sidecar.reload();
  t.same(await toolNames(`${sidecar.url}/mcp`), ['three']);
});

t.test('changing listen.port in the file makes reload fail with CONFIG_RESTART_REQUIRED', async (t) => {
  const { sidecar, config } = await setup(t);
  const before = sidecar.holder.current;
  sidecar.writeConfig(config({ listen: { port: 18_181 } }));
  const err = await sidecar.reload().then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof AppError);
  t.equal((err as AppError).code, 'CONFIG_RESTART_REQUIRED');
  t.match((err as AppError).message, /listen changed .*8080 → .*18181.*restart/);
  t.equal(sidecar.holder.current, before);
  t.same(await toolNames(`${sidecar.url}/mcp`), ['one', 'two']);
});

t.test('changing listen.host makes reload fail with CONFIG_RESTART_REQUIRED too', async (t) => {
  const { sidecar, config } = await setup(t);
  sidecar.writeConfig(config({ listen: { host: '0.0.0.0' } }));
  await t.rejects(sidecar.reload(), { code: 'CONFIG_RESTART_REQUIRED' });
});

t.test('start-up-only settings: a reload that changes them fails, names them all, and keeps serving', async (t) => {
  const { sidecar, config } = await setup(t);
  const before = sidecar.holder.current;
  sidecar.writeConfig(config({ audit: { enabled: false }, limits: { maxConcurrentUpstream: 3 }, logging: { format: 'pretty' }, reload: { watch: false, debounce: '1s' } }));
  const err = (await sidecar.reload().then(() => undefined, (e: unknown) => e)) as AppError;
  t.equal(err?.code, 'CONFIG_RESTART_REQUIRED');
  for (const key of ['logging.format', 'audit', 'reload', 'limits.maxConcurrentUpstream']) t.match(err.message, `${key} changed`, `names ${key}`);
  t.match(err.message, /restart the sidecar to apply them$/);
  t.equal(sidecar.holder.current, before, 'the old snapshot keeps serving');
});

t.test('a failed reload does not use up a generation number', async (t) => {
  const { sidecar, config } = await setup(t);
  const before = sidecar.holder.current.generation;
  sidecar.writeConfig(config({ servers: [{ path: '/mcp', spec: './missing.yaml' }] }));
  await t.rejects(sidecar.reload());
  const cfg = config();
  cfg.servers[0]!.spec = './v2.yaml';
  sidecar.writeConfig(cfg);
  t.equal((await sidecar.reload()).generation, before + 1, 'the next good config is the next generation');
});

t.test('live settings reload without a restart: log level, access log, limits read per request', async (t) => {
  const { sidecar, config } = await setup(t);
  sidecar.writeConfig(config({ logging: { level: 'debug', accessLog: true }, limits: { maxRequestBody: '2mb', shutdownGrace: '3s' } }));
  const next = await sidecar.reload();
  t.not(next.generation, undefined);
  t.equal(sidecar.holder.current.config.logging.accessLog, true);
  t.equal(sidecar.holder.current.servers.get('/mcp')?.accessLog, true, 'the runtime logs each call from now on');
  t.equal(sidecar.holder.current.config.limits.shutdownGraceMs, 3000);
});

t.test('a reload that adds a server serves it at its path', async (t) => {
  const { sidecar, upstream } = await setup(t);
  sidecar.writeConfig({
    reload: { watch: false },
    servers: [
      { path: '/mcp', spec: './v1.yaml', upstream: { baseUrl: upstream.url } },
      { path: '/mcp/extra', spec: './v2.yaml', upstream: { baseUrl: upstream.url } },
    ],
  });
  await sidecar.reload();
  t.same(await toolNames(`${sidecar.url}/mcp`), ['one', 'two']);
  t.same(await toolNames(`${sidecar.url}/mcp/extra`), ['three']);
});

t.test('an edit made right after start-up is never mistaken for "unchanged"', async (t) => {
  const { startTestSidecar, spec30 } = await import('../helpers/sidecar.js');
  const op = (id: string) => ({ [`/${id}`]: { get: { operationId: id, responses: { '200': { description: 'ok' } } } } });
  const cfg = { reload: { watch: false }, servers: [{ path: '/mcp', spec: './s.json', upstream: { baseUrl: 'http://127.0.0.1:9' } }] };
  const s = await startTestSidecar(t, { config: cfg, files: { 's.json': spec30(op('one')) } });
  const { writeFileSync } = await import('node:fs');
  writeFileSync(`${s.dir}/s.json`, JSON.stringify(spec30({ ...op('one'), ...op('two') })));
  const next = await s.reload();
  t.same([...next.servers.get('/mcp')!.tools.keys()].sort(), ['one', 'two']);
  t.equal(await s.reload(), next, 'and a second reload with nothing changed keeps it');
});
