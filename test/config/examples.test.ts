import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { loadConfig, specLocation, type Config } from '../../src/config/index.js';
import { isAppError } from '../../src/errors.js';
import { buildSnapshot } from '../../src/runtime/index.js';
import { PoolRegistry } from '../../src/upstream/index.js';

// Every file under config/ is covered: listed at test time, so a new example is checked the day it lands.
const configDir = fileURLToPath(new URL('../../config/', import.meta.url));
const files = readdirSync(configDir, { recursive: true, withFileTypes: true })
  .filter((d) => d.isFile() && /\.(ya?ml|json)$/i.test(d.name))
  .map((d) => path.join(d.parentPath, d.name))
  .sort();

const isSpec = (file: string): boolean => {
  const doc = parse(readFileSync(file, 'utf8')) as Record<string, unknown> | null;
  return doc !== null && typeof doc === 'object' && ('openapi' in doc || 'swagger' in doc);
};
const specs = files.filter(isSpec);
const configs = files.filter((f) => !isSpec(f));

/**
 * Loads with an empty environment; a ${VAR} an example deliberately leaves without a default
 * (an API key, say) is filled with a placeholder so the rest of the file is still checked.
 */
async function loadExample(file: string): Promise<Config> {
  try {
    return (await loadConfig(file, {})).config;
  } catch (err) {
    if (!isAppError(err, 'CONFIG_INVALID')) throw err;
    const names = err.problems.flatMap((p) => [...p.message.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\} is not set/g)].map((m) => m[1]!));
    if (names.length === 0 || names.length !== err.problems.length) throw err;
    return (await loadConfig(file, Object.fromEntries(names.map((n) => [n, `placeholder-${n.toLowerCase()}`])))).config;
  }
}

t.test('config/ holds the demo config and its spec', async (t) => {
  t.ok(configs.includes(path.join(configDir, 'demo.yaml')), 'demo.yaml is there');
  t.ok(specs.includes(path.join(configDir, 'demo-openapi.yaml')), 'demo-openapi.yaml is there');
});

for (const file of configs) {
  const name = path.relative(configDir, file);
  t.test(`config/${name} parses, validates and builds every server it names`, async (t) => {
    const config = await loadExample(file);
    t.ok(config.servers.length > 0, 'has servers');
    const local = config.servers.every((s) => s.spec.kind === 'file');
    if (!local) {
      t.comment(`${name} names a remote spec: checked up to validation, not built (no network in tests)`);
      return;
    }
    const pools = new PoolRegistry();
    t.teardown(() => pools.closeAll());
    const snapshot = await buildSnapshot(config, { pools, generation: 1, version: '0.0.0' });
    t.teardown(() => snapshot.dispose());
    for (const rt of snapshot.servers.values()) t.ok(rt.tools.size > 0, `${rt.name} exposes at least one tool`);
  });
}

t.test('every OpenAPI spec under config/ is used by a config there', async (t) => {
  const used = new Set<string>();
  for (const file of configs) for (const s of (await loadExample(file)).servers) used.add(specLocation(s.spec));
  for (const spec of specs) t.ok(used.has(spec), `${path.relative(configDir, spec)} is named by a config`);
});

t.test('the demo config loads with no environment at all and keeps to loopback', async (t) => {
  const { config } = await loadConfig(path.join(configDir, 'demo.yaml'), {});
  t.same(config.listen, { host: '127.0.0.1', port: 8080 });
  t.equal(config.logging.format, 'pretty');
  t.equal(config.servers.length, 1);
  const demo = config.servers[0]!;
  t.equal(demo.name, 'demo');
  t.equal(demo.path, '/mcp');
  t.same(demo.spec, { kind: 'file', path: path.join(configDir, 'demo-openapi.yaml') });
  t.equal(demo.upstream.baseUrl, 'http://127.0.0.1:8081');
  t.equal(demo.upstream.timeoutMs, 10_000);
  t.same(config.allowedHosts, ['localhost', '127.0.0.1', '[::1]']);
});

t.test('the demo config takes its upstream URL and port from the environment', async (t) => {
  const { config } = await loadConfig(path.join(configDir, 'demo.yaml'), { DEMO_API_URL: 'http://127.0.0.1:5555', PORT: '9999' });
  t.equal(config.servers[0]!.upstream.baseUrl, 'http://127.0.0.1:5555');
  t.equal(config.listen.port, 9999);
});

t.test('the demo config builds the seven demo tools', async (t) => {
  const { config } = await loadConfig(path.join(configDir, 'demo.yaml'), {});
  const pools = new PoolRegistry();
  t.teardown(() => pools.closeAll());
  const snapshot = await buildSnapshot(config, { pools, generation: 1, version: '0.0.0' });
  t.teardown(() => snapshot.dispose());
  const rt = snapshot.servers.get('/mcp')!;
  t.same([...rt.tools.keys()].sort(), ['createTask', 'deleteTask', 'getStats', 'getTask', 'getTaskSummary', 'listTasks', 'updateTask']);
});
