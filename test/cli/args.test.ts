import t from 'tap';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { USAGE, parseCli } from '../../src/cli/args.js';
import { resolveConfigSource } from '../../src/cli/config-source.js';
import { AppError } from '../../src/errors.js';

t.test('parses each command line into the expected arguments', async (t) => {
  const cases: [string[], Partial<ReturnType<typeof parseCli>>][] = [
    [[], { command: 'serve', config: undefined, spec: undefined, port: undefined, json: false }],
    [['serve', '-c', 'x.yaml'], { command: 'serve', config: 'x.yaml' }],
    [['validate', '--config', 'y.yaml'], { command: 'validate', config: 'y.yaml' }],
    [['tools', '-c', 'y.yaml', '--json'], { command: 'tools', json: true }],
    [['serve', 'api.yaml', '--base-url', 'http://127.0.0.1:3000', '-p', '0'], { command: 'serve', spec: 'api.yaml', baseUrl: 'http://127.0.0.1:3000', port: 0 }],
    [['serve', '--host', '0.0.0.0', '--port', '65535'], { host: '0.0.0.0', port: 65535 }],
    [['serve', 'api.yaml', '--headless'], { command: 'serve', spec: 'api.yaml' }],
    [['stdio', '-c', 'c.yaml', '--server', 'pets'], { command: 'stdio', server: 'pets' }],
    [['serve', 'petstore', '--openapi', 'pets.yaml', '--url', 'http://127.0.0.1:3000'], { command: 'serve', spec: 'pets.yaml', name: 'petstore', baseUrl: 'http://127.0.0.1:3000' }],
    [['serve', 'api.yaml'], { spec: 'api.yaml', name: undefined }],
    [['--help'], { command: '', help: true }],
    [['-h'], { command: '', help: true }],
    [['--version'], { command: '', version: true }],
    [['-v'], { command: '', version: true }],
  ];
  for (const [argv, expected] of cases) t.match(parseCli(argv), expected, argv.join(' ') || '(no arguments)');
});

t.test('rejects a port that is not a port number', async (t) => {
  for (const bad of ['abc', '-1', '65536', '1.5']) {
    t.throws(() => parseCli(['serve', `--port=${bad}`]), { message: `--port must be a port number, got "${bad}"` }, bad);
  }
});

t.test('rejects an unknown option', async (t) => {
  t.throws(() => parseCli(['serve', '--nope']), { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' });
});

t.test('the usage text names every command and the headless flag', async (t) => {
  for (const word of ['serve', 'stdio', 'validate', 'tools', 'demo', '--config', '--port', '--base-url', '--server', '--json', '--headless', '--help', '--version']) {
    t.match(USAGE, word);
  }
});

t.test('-c wins over a spec and over $MCP_SIDECAR_CONFIG', async (t) => {
  const args = parseCli(['serve', 'api.yaml', '-c', 'conf/x.yaml']);
  t.same(resolveConfigSource(args, { MCP_SIDECAR_CONFIG: 'other.yaml' }), { configFile: path.resolve('conf/x.yaml') });
});

t.test('a spec without -c becomes a one-server config at /mcp', async (t) => {
  const source = resolveConfigSource(parseCli(['serve', 'api.yaml', '--base-url', 'http://127.0.0.1:3000']), {});
  t.ok('config' in source);
  if (!('config' in source)) return;
  t.equal(source.config.servers.length, 1);
  t.equal(source.config.servers[0]!.path, '/mcp');
  t.same(source.config.servers[0]!.spec, { kind: 'file', path: path.resolve('api.yaml') });
  t.equal(source.config.servers[0]!.upstream.baseUrl, 'http://127.0.0.1:3000');
});

t.test('HAPI style serve <name> --openapi <spec> --url <backend> names the server after the project', async (t) => {
  const source = resolveConfigSource(parseCli(['serve', 'My Pet.Store', '--openapi', 'pets.yaml', '--url', 'http://127.0.0.1:3000', '--headless']), {});
  t.ok('config' in source);
  if (!('config' in source)) return;
  const [server] = source.config.servers;
  t.equal(server!.name, 'my-pet-store', 'made safe for logs and metrics');
  t.equal(server!.path, '/mcp');
  t.same(server!.spec, { kind: 'file', path: path.resolve('pets.yaml') });
  t.equal(server!.upstream.baseUrl, 'http://127.0.0.1:3000');
});

t.test('a spec URL without -c is served as given', async (t) => {
  const source = resolveConfigSource(parseCli(['serve', 'https://api.example.com/openapi.json']), {});
  t.ok('config' in source);
  if ('config' in source) t.same(source.config.servers[0]!.spec, { kind: 'url', url: 'https://api.example.com/openapi.json' });
});

t.test('a bad --base-url is CONFIG_INVALID', async (t) => {
  t.throws(() => resolveConfigSource(parseCli(['serve', 'api.yaml', '--base-url', 'http://']), {}), { code: 'CONFIG_INVALID' });
});

t.test('without -c or a spec, $MCP_SIDECAR_CONFIG is used when it exists', async (t) => {
  const file = fileURLToPath(new URL('../../config/demo.yaml', import.meta.url));
  t.same(resolveConfigSource(parseCli(['validate']), { MCP_SIDECAR_CONFIG: file }), { configFile: file });
});

t.test('without any config, the error says how to pass one', async (t) => {
  const err = (() => {
    try {
      resolveConfigSource(parseCli(['validate']), { MCP_SIDECAR_CONFIG: '/nonexistent/config.yaml' });
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  t.ok(err instanceof AppError);
  t.equal((err as AppError).code, 'CONFIG_INVALID');
  t.match((err as AppError).message, /no config file at \/nonexistent\/config\.yaml: pass --config <file>, or a spec/);
});
