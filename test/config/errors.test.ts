import t, { type Test } from 'tap';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, parseConfig } from '../../src/config/index.js';
import { AppError, formatError, formatProblem, type Problem } from '../../src/errors.js';

const fixtures = fileURLToPath(new URL('../fixtures/config/', import.meta.url));
const FILE = '/srv/sidecar/config.yaml';

/** Runs `fn`, expects a CONFIG_INVALID AppError, and returns it. */
function configError(t: Test, fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    t.ok(err instanceof AppError, 'an AppError');
    t.equal((err as AppError).code, 'CONFIG_INVALID');
    return err as AppError;
  }
  t.fail('expected a CONFIG_INVALID error');
  throw new Error('unreachable');
}

async function configErrorAsync(t: Test, p: Promise<unknown>): Promise<AppError> {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof AppError, 'an AppError');
  t.equal((err as AppError).code, 'CONFIG_INVALID');
  return err as AppError;
}

const at = (p: Problem) => `${p.line}:${p.column} ${p.path ?? ''}`;

t.test('reports every shape problem at once, each with file, line, column and key path', async (t) => {
  const file = path.join(fixtures, 'broken/shape.yaml');
  const err = await configErrorAsync(t, loadConfig(file, {}));
  t.equal(err.message, `${file}: 8 problems`);
  t.ok(err.problems.every((p) => p.file === file), 'every problem names the file');
  t.same(err.problems.map(at), [
    '3:3 listen.prot',
    '6:10 logging.level',
    '8:19 limits.maxRequestBody',
    '9:18 limits.shutdownGrace',
    '12:15 servers[0].sessions',
    '15:16 servers[0].upstream.timeout',
    '16:23 servers[0].upstream.maxConnections',
    '18:5 servers[1].tols',
  ]);
});

t.test('an unknown key is reported at the key, with a did-you-mean suggestion', async (t) => {
  const err = configError(t, () => parseConfig('listen:\n  prot: 80\nservers:\n  - spec: a.yaml\n    upstreem: {}\n', FILE, {}));
  t.same(err.problems, [
    { file: FILE, line: 2, column: 3, path: 'listen.prot', message: 'unknown key "prot" (did you mean "port"?)' },
    { file: FILE, line: 5, column: 5, path: 'servers[0].upstreem', message: 'unknown key "upstreem" (did you mean "upstream"?)' },
  ]);
});

t.test('an unknown key far from every known one lists the allowed keys instead', async (t) => {
  const err = configError(t, () => parseConfig('listen:\n  zzzzzz: 1\nservers:\n  - spec: a.yaml\n', FILE, {}));
  t.equal(err.problems.length, 1);
  t.equal(err.problems[0]!.message, 'unknown key "zzzzzz" (allowed: host, port)');
});

t.test('a misspelt servers key gets a suggestion and the missing servers is reported too', async (t) => {
  const err = configError(t, () => parseConfig('server:\n  - spec: a.yaml\n', FILE, {}));
  const messages = err.problems.map((p) => p.message).sort();
  t.same(messages, ['missing required key "servers"', 'unknown key "server" (did you mean "servers"?)']);
  t.match(err.problems.find((p) => p.message.startsWith('unknown'))!, { line: 1, column: 1, path: 'server' });
});

t.test('a wrong type names the expected type at the value', async (t) => {
  const err = configError(t, () => parseConfig('listen:\n  port: eighty\nservers:\n  - spec: a.yaml\n', FILE, {}));
  t.same(err.problems, [{ file: FILE, line: 2, column: 9, path: 'listen.port', message: 'must be integer' }]);
});

t.test('a value outside an enum lists the allowed values', async (t) => {
  const err = configError(t, () => parseConfig('servers:\n  - spec: a.yaml\n    sessions: sticky\n', FILE, {}));
  t.same(err.problems, [{ file: FILE, line: 3, column: 15, path: 'servers[0].sessions', message: 'must be one of: "stateless", "stateful"' }]);
});

t.test('tools.mode, tools.budget and tools.pinned are checked where they are written', async (t) => {
  const err = configError(t, () => parseConfig('servers:\n  - spec: a.yaml\n    tools:\n      mode: lazy\n      budget: -1\n      pinned: [""]\n', FILE, {}));
  t.same(
    err.problems.map((p: { line?: number; path?: string; message: string }) => `${p.line} ${p.path}: ${p.message}`),
    ['4 servers[0].tools.mode: must be one of: "auto", "flat", "search"', '5 servers[0].tools.budget: must be >= 0', '6 servers[0].tools.pinned[0]: must NOT have fewer than 1 characters'],
  );
});

t.test('a config without servers is rejected, and so is an empty list of servers', async (t) => {
  const missing = await configErrorAsync(t, loadConfig(path.join(fixtures, 'broken/no-servers.yaml'), {}));
  t.same(missing.problems.map((p) => [p.line, p.column, p.path, p.message]), [[1, 1, '(top level)', 'missing required key "servers"']]);

  const empty = configError(t, () => parseConfig('servers: []\n', FILE, {}));
  t.equal(empty.problems.length, 1);
  t.match(empty.problems[0], { path: 'servers', line: 1, column: 10, message: /fewer than 1 item/ });
});

t.test('an empty file and a file that is not a mapping are rejected', async (t) => {
  const empty = configError(t, () => parseConfig('', FILE, {}));
  t.equal(empty.problems[0]!.message, 'missing required key "servers"');
  const scalar = configError(t, () => parseConfig('42\n', FILE, {}));
  t.same(scalar.problems.map((p) => p.message), ['must be object']);
  const list = configError(t, () => parseConfig('- spec: a.yaml\n', FILE, {}));
  t.same(list.problems.map((p) => p.message), ['must be object']);
});

t.test('bad duration and size strings are rejected with what a good one looks like', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['limits:\n  shutdownGrace: 5 minutes\n', 'limits.shutdownGrace', /duration such as 500ms, 30s, 5m/],
    ['limits:\n  shutdownGrace: -1\n', 'limits.shutdownGrace', /duration/],
    ['limits:\n  maxRequestBody: 12 parsecs\n', 'limits.maxRequestBody', /size such as 512kb, 10mb, 1MiB/],
    ['limits:\n  maxRequestBody: 10tb\n', 'limits.maxRequestBody', /size/],
    ['reload:\n  debounce: 1d\n', 'reload.debounce', /duration/],
    ['servers:\n  - spec: a.yaml\n    upstream:\n      maxResponseSize: lots\n', 'servers[0].upstream.maxResponseSize', /size/],
    ['servers:\n  - spec: a.yaml\n    upstream:\n      connectTimeout: 1.5\n', 'servers[0].upstream.connectTimeout', /duration/],
  ];
  for (const [yaml, key, message] of cases) {
    const text = yaml.startsWith('servers') ? yaml : `${yaml}servers:\n  - spec: a.yaml\n`;
    const err = configError(t, () => parseConfig(text, FILE, {}));
    t.equal(err.problems.length, 1, key);
    t.match(err.problems[0], { path: key, message }, key);
    t.ok(err.problems[0]!.line, `${key} has a line`);
  }
});

t.test('good duration and size strings become milliseconds and bytes', async (t) => {
  const config = parseConfig(
    [
      'limits:',
      '  maxRequestBody: 2MiB',
      '  shutdownGrace: 1.5s',
      'reload:',
      '  debounce: 50',
      '  specRefreshInterval: 2h',
      'servers:',
      '  - spec: a.yaml',
      '    upstream:',
      '      timeout: 2m',
      '      connectTimeout: 250ms',
      '      maxResponseSize: 512kb',
      '',
    ].join('\n'),
    FILE,
    {},
  );
  t.equal(config.limits.maxRequestBody, 2 * 1024 * 1024);
  t.equal(config.limits.shutdownGraceMs, 1500);
  t.equal(config.reload.debounceMs, 50);
  t.equal(config.reload.specRefreshMs, 7_200_000);
  t.equal(config.servers[0]!.upstream.timeoutMs, 120_000);
  t.equal(config.servers[0]!.upstream.connectTimeoutMs, 250);
  t.equal(config.servers[0]!.upstream.maxResponseBytes, 512_000);
});

t.test('a YAML syntax error reports its line and column', async (t) => {
  const file = path.join(fixtures, 'broken/syntax.yaml');
  const err = await configErrorAsync(t, loadConfig(file, {}));
  t.equal(err.problems.length, 1);
  const [p] = err.problems;
  t.equal(p!.file, file);
  t.equal(p!.line, 4, 'the badly indented line');
  t.equal(p!.column, 1);
  t.match(p!.message, /^YAML: /);
  t.notMatch(p!.message, /\n/, 'one line, no code frame');
});

t.test('an unclosed flow sequence is a YAML error with a location', async (t) => {
  const err = configError(t, () => parseConfig('listen:\n  port: 1\nservers: [\n', FILE, {}));
  t.ok(err.problems.length >= 1);
  t.ok(err.problems.every((p) => typeof p.line === 'number' && typeof p.column === 'number'), 'every YAML problem is located');
  t.match(err.problems[0]!.message, /^YAML: .*\]/);
});

t.test('a duplicated key is a YAML error at the second occurrence', async (t) => {
  const err = configError(t, () => parseConfig('servers:\n  - spec: a.yaml\nservers:\n  - spec: b.yaml\n', FILE, {}));
  t.same(err.problems.map((p) => [p.line, p.column]), [[3, 1]]);
  t.match(err.problems[0]!.message, /YAML: Map keys must be unique/);
});

t.test('duplicate server paths and names are all reported, pointing at the later server', async (t) => {
  const file = path.join(fixtures, 'broken/duplicates.yaml');
  const err = await configErrorAsync(t, loadConfig(file, {}));
  t.same(
    err.problems.map((p) => [p.line, p.column, p.path, p.message]),
    [
      [7, 11, 'servers[1].path', 'path /mcp/pets is already used by servers[0]'],
      [9, 11, 'servers[2].name', 'name "pets" is already used by servers[0]'],
    ],
  );
});

t.test('two servers without a path both default to /mcp and clash', async (t) => {
  const err = configError(t, () => parseConfig('servers:\n  - spec: a.yaml\n  - spec: b.yaml\n', FILE, {}));
  const paths = err.problems.map((p) => p.path).sort();
  t.same(paths, ['servers[1].name', 'servers[1].path']);
});

t.test('semantic problems (URLs, clashes) are reported together', async (t) => {
  const err = configError(
    t,
    () =>
      parseConfig(
        ['servers:', '  - path: /mcp/a', '    spec: a.yaml', '    upstream:', '      baseUrl: "http://"', '  - path: /mcp/a', '    spec: b.yaml', ''].join('\n'),
        FILE,
        {},
      ),
  );
  t.same(err.problems.map((p) => p.path), ['servers[0].upstream.baseUrl', 'servers[1].path', 'servers[1].name']);
  t.match(err.problems[0]!.message, /not a valid URL: http:\/\//);
});

t.test('formatError renders the message and one file:line:column line per problem', async (t) => {
  const file = path.join(fixtures, 'broken/shape.yaml');
  const err = await configErrorAsync(t, loadConfig(file, {}));
  const lines = formatError(err).split('\n');
  t.equal(lines[0], `${file}: 8 problems`);
  t.equal(lines.length, 9);
  t.equal(lines[1], `  - ${file}:3:3: listen.prot: unknown key "prot" (did you mean "port"?)`);
  t.equal(lines[8], `  - ${file}:18:5: servers[1].tols: unknown key "tols" (did you mean "tools"?)`);
  for (const line of lines.slice(1)) t.match(line, new RegExp(`^  - ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: \\S+: `));
});

t.test('formatProblem leaves out what it does not know', async (t) => {
  t.equal(formatProblem({ message: 'boom' }), 'boom');
  t.equal(formatProblem({ path: 'a.b', message: 'boom' }), 'a.b: boom');
  t.equal(formatProblem({ file: 'c.yaml', path: 'a', message: 'boom' }), 'c.yaml: a: boom');
  t.equal(formatProblem({ file: 'c.yaml', line: 3, column: 7, message: 'boom' }), 'c.yaml:3:7: boom');
});

t.test('a config file that cannot be read is CONFIG_INVALID naming the file', async (t) => {
  const file = path.join(fixtures, 'nope/absent.yaml');
  const err = await configErrorAsync(t, loadConfig(file, {}));
  t.match(err.message, `cannot read config file ${file}`);
  t.match(formatError(err), /ENOENT/);
});
