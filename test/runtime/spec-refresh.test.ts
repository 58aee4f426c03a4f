import t from 'tap';
import { stringify } from 'yaml';
import { parseConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/log.js';
import { buildSnapshot } from '../../src/runtime/index.js';
import { createSpecRefresher } from '../../src/runtime/spec-refresh.js';
import { PoolRegistry } from '../../src/upstream/index.js';
import { startUpstream } from '../helpers/upstream.js';
import { spec30 } from '../helpers/sidecar.js';

// The refresher polls the specs the config names by URL (and only those) and reports a change.

t.test('a spec named by URL is polled, and a change to it is reported', async (t) => {
  let version = '1';
  const specServer = await startUpstream((req, res) => {
    res.writeHead(200, { 'content-type': 'application/yaml' });
    res.end(stringify(spec30({ '/v': { get: { operationId: `v${version}`, responses: { '200': { description: 'ok' } } } } })));
  });
  t.teardown(() => specServer.close());
  const config = parseConfig(
    stringify({ servers: [{ path: '/mcp/remote', spec: `${specServer.url}/openapi.yaml` }, { path: '/mcp/local', spec: '../fixtures/config/specs/pets.yaml', upstream: { baseUrl: 'http://127.0.0.1:9' } }] }),
    new URL('./config.yaml', import.meta.url).pathname,
    {},
  );
  const pools = new PoolRegistry();
  const snapshot = await buildSnapshot(config, { pools, generation: 1, version: 'test' });
  t.teardown(async () => {
    snapshot.dispose();
    await pools.closeAll();
  });
  t.equal(specServer.requests.length, 1, 'loaded once to build');

  let changed!: () => void;
  const reported = new Promise<void>((r) => (changed = r));
  const refresher = createSpecRefresher(() => snapshot, 10, () => changed(), silentLogger);
  t.teardown(() => refresher.close());
  // The first poll sees the bytes the build read (the build's fetch primed the cache): no change yet.
  while (specServer.requests.length < 2) await new Promise((r) => setTimeout(r, 10));
  version = '2';
  await reported;
  t.ok(specServer.requests.every((r) => r.url === '/openapi.yaml'), 'only the URL spec is fetched; the local file is watched, not fetched');
});
