import t from 'tap';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, loadConfigSchema, parseConfig } from '../../src/config/index.js';

const fixtures = fileURLToPath(new URL('../fixtures/config/', import.meta.url));
const FILE = '/srv/sidecar/config.yaml';

t.test('a minimal config gets the documented defaults', async (t) => {
  const config = parseConfig('servers:\n  - spec: ./api.yaml\n', FILE, {});
  t.equal(config.file, FILE);
  t.same(config.listen, { host: '127.0.0.1', port: 8080 });
  t.equal(config.publicUrl, undefined);
  t.same(config.logging, { level: 'info', format: 'json', accessLog: false });
  t.same(config.limits, { maxRequestBody: 1_000_000, maxConcurrentUpstream: 1024, shutdownGraceMs: 10_000, headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 65_000, maxConnections: 10_000 });
  t.same(config.reload, { watch: true, debounceMs: 250, specRefreshMs: 300_000 });
  t.same(config.metrics, { enabled: true });
  const s = config.servers[0]!;
  t.equal(s.name, 'default');
  t.equal(s.path, '/mcp');
  t.same(s.spec, { kind: 'file', path: '/srv/sidecar/api.yaml' }, 'a relative spec is resolved against the config file');
  t.equal(s.sessions, 'stateless');
  t.equal(s.cors, undefined, 'CORS is closed unless configured');
  t.same(s.upstream, { baseUrl: undefined, timeoutMs: 30_000, connectTimeoutMs: 10_000, maxResponseBytes: 10_000_000, maxConnections: 128, headers: {} });
  t.same(s.tools, { include: undefined, exclude: undefined, maxNameLength: 48, outputSchema: true, maxOutputSchemaBytes: 16_000, cacheTtlMs: 60_000, overrides: {}, schemaProfile: 'full', clientProfiles: {}, maxResultTokens: 25_000, projection: false, mode: 'auto', budget: 20_000, pinned: [] });
  t.same(s.specAt, { file: FILE, line: 2, column: 11, path: 'servers[0].spec' });
});

t.test('the schema defaults agree with the compiled defaults', async (t) => {
  const schema = loadConfigSchema() as { properties: Record<string, { properties: Record<string, { default?: unknown }> }>; $defs: Record<string, { properties: Record<string, { default?: unknown; properties?: Record<string, { default?: unknown }> }> }> };
  t.equal(schema.properties.listen!.properties.port!.default, 8080);
  t.equal(schema.properties.listen!.properties.host!.default, '127.0.0.1');
  t.equal(schema.properties.limits!.properties.maxRequestBody!.default, '1mb');
  t.equal(schema.properties.limits!.properties.shutdownGrace!.default, '10s');
  t.equal(schema.$defs.server!.properties.sessions!.default, 'stateless');
  t.equal(schema.$defs.server!.properties.path!.default, '/mcp');
  t.equal(schema.$defs.server!.properties.upstream!.properties!.timeout!.default, '30s');
});

t.test('a config with every section compiles to the values written', async (t) => {
  const file = path.join(fixtures, 'valid/full.yaml');
  const { config } = await loadConfig(file, {});
  t.equal(config.file, file);
  t.same(config.listen, { host: '0.0.0.0', port: 9090 });
  t.equal(config.publicUrl, 'https://mcp.example.com');
  t.same(config.logging, { level: 'warn', format: 'json', accessLog: false });
  t.same(config.limits, { maxRequestBody: 512_000, maxConcurrentUpstream: 16, shutdownGraceMs: 2000, headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 65_000, maxConnections: 10_000 });
  t.same(config.allowedHosts, ['internal.example.com', 'mcp.example.com'], 'the publicUrl host is always allowed');
  t.same(config.reload, { watch: false, debounceMs: 100, specRefreshMs: 0 });
  t.same(config.metrics, { enabled: false });

  const [pets, clock] = config.servers;
  t.equal(pets!.name, 'pets');
  t.equal(pets!.path, '/mcp/pets', 'a trailing slash is dropped');
  t.same(pets!.spec, { kind: 'file', path: path.join(fixtures, 'specs/pets.yaml') });
  t.equal(pets!.sessions, 'stateful');
  t.equal(pets!.title, 'Pets');
  t.same(pets!.upstream, {
    baseUrl: 'http://127.0.0.1:9/v2',
    timeoutMs: 1500,
    connectTimeoutMs: 500,
    maxResponseBytes: 1_048_576,
    maxConnections: 4,
    headers: { 'X-Api-Key': 'dev-key' },
  });
  t.same(pets!.tools.include, { methods: ['get'] });
  t.equal(pets!.tools.maxNameLength, 40);
  t.equal(pets!.tools.outputSchema, false);
  t.same(pets!.tools.overrides, { getPet: { name: 'fetch_pet', annotations: { readOnlyHint: true } } });
  t.same(pets!.cors?.allowedOrigins, ['https://app.example.com'], 'origins are lower-cased, trailing slash dropped');
  t.equal(pets!.cors?.maxAgeSeconds, 60);
  t.ok(pets!.cors?.allowedHeaders.includes('Mcp-Session-Id'), 'MCP headers are always allowed');

  t.equal(clock!.name, 'clock', 'the name comes from the path');
  t.equal(clock!.path, '/mcp/clock');
  t.same(clock!.cors, pets!.cors, 'the global cors applies to a server without its own');
});

t.test('loadConfig returns the content hash of the file, as fingerprints use it', async (t) => {
  const file = path.join(fixtures, 'valid/full.yaml');
  const { hash } = await loadConfig(file, {});
  t.equal(hash, createHash('sha1').update(readFileSync(file)).digest('hex'));
});

t.test('loadConfig resolves a relative file name against the working directory', async (t) => {
  const rel = path.relative(process.cwd(), path.join(fixtures, 'valid/full.yaml'));
  const { config } = await loadConfig(rel, {});
  t.equal(config.file, path.resolve(rel));
  t.same(config.servers[0]!.spec, { kind: 'file', path: path.join(fixtures, 'specs/pets.yaml') });
});

t.test('server paths are normalised and names derived from them', async (t) => {
  const cases: [string, string, string][] = [
    ['/mcp', '/mcp', 'default'],
    ['/mcp/', '/mcp', 'default'],
    ['//mcp//github//', '/mcp/github', 'github'],
    ['/mcp/Big.API', '/mcp/Big.API', 'big-api'],
    ['/tools/x', '/tools/x', 'tools-x'],
    ['/', '/', 'default'],
  ];
  for (const [written, normalised, name] of cases) {
    const config = parseConfig(`servers:\n  - spec: a.yaml\n    path: "${written}"\n`, FILE, {});
    t.equal(config.servers[0]!.path, normalised, `path ${written}`);
    t.equal(config.servers[0]!.name, name, `name for ${written}`);
  }
});

t.test('a spec URL is kept as a URL, not resolved as a file', async (t) => {
  const config = parseConfig('servers:\n  - spec: https://api.example.com/openapi.json\n', FILE, {});
  t.same(config.servers[0]!.spec, { kind: 'url', url: 'https://api.example.com/openapi.json' });
});

t.test('allowedHosts defaults to loopback names on loopback, and to anything elsewhere', async (t) => {
  const on = (listen: string, extra = '') => parseConfig(`listen:\n  host: "${listen}"\n${extra}servers:\n  - spec: a.yaml\n`, FILE, {}).allowedHosts;
  t.same(on('127.0.0.1'), ['localhost', '127.0.0.1', '[::1]']);
  t.same(on('localhost'), ['localhost', '127.0.0.1', '[::1]']);
  t.same(on('::1'), ['localhost', '127.0.0.1', '[::1]']);
  t.equal(on('0.0.0.0'), undefined);
  t.same(on('0.0.0.0', 'publicUrl: https://MCP.example.com:8443\n'), ['mcp.example.com:8443']);
  t.same(on('0.0.0.0', 'allowedHosts: [A.example.com]\n'), ['a.example.com']);
});

t.test('a server cors replaces the global one', async (t) => {
  const config = parseConfig(
    [
      'cors:',
      '  allowedOrigins: ["https://a.example.com"]',
      'servers:',
      '  - path: /mcp/one',
      '    spec: a.yaml',
      '  - path: /mcp/two',
      '    spec: b.yaml',
      '    cors:',
      '      allowedOrigins: ["https://b.example.com"]',
      '      allowedMethods: [post]',
      '      allowedHeaders: [x-trace, content-type]',
      '      allowCredentials: true',
      '',
    ].join('\n'),
    FILE,
    {},
  );
  const [one, two] = config.servers;
  t.same(one!.cors?.allowedOrigins, ['https://a.example.com']);
  t.same(two!.cors?.allowedOrigins, ['https://b.example.com']);
  t.same(two!.cors?.allowedMethods, ['POST']);
  t.equal(two!.cors?.allowCredentials, true);
  t.equal(two!.cors?.allowedHeaders.filter((h) => h.toLowerCase() === 'content-type').length, 1, 'headers are merged without duplicates');
  t.ok(two!.cors?.allowedHeaders.includes('x-trace'));
});

t.test('parseConfig is pure: the same text gives equal configs', async (t) => {
  const text = readFileSync(path.join(fixtures, 'valid/full.yaml'), 'utf8');
  const file = path.join(fixtures, 'valid/full.yaml');
  t.same(parseConfig(text, file, {}), parseConfig(text, file, {}));
});
