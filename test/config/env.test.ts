import t from 'tap';
import { parseConfig } from '../../src/config/index.js';
import { AppError, formatError } from '../../src/errors.js';

const FILE = '/srv/sidecar/config.yaml';
const server = (extra = '') => `servers:\n  - spec: a.yaml\n${extra}`;

t.test('${VAR} is replaced by the variable and ${VAR:-default} falls back to the default', async (t) => {
  const config = parseConfig(
    server('    title: ${TITLE}\n    instructions: "Call ${WHO:-nobody} at ${WHERE:-home}"\n    upstream:\n      baseUrl: ${API_URL}\n'),
    FILE,
    { TITLE: 'Pets', API_URL: 'http://api.internal:3000', WHERE: 'work' },
  );
  const s = config.servers[0]!;
  t.equal(s.title, 'Pets');
  t.equal(s.instructions, 'Call nobody at work');
  t.equal(s.upstream.baseUrl, 'http://api.internal:3000');
});

t.test('an empty variable counts as unset, so its default applies', async (t) => {
  const config = parseConfig(server('    title: ${TITLE:-fallback}\n'), FILE, { TITLE: '' });
  t.equal(config.servers[0]!.title, 'fallback');
});

t.test('an empty default is allowed and gives an empty string', async (t) => {
  const config = parseConfig(server('    title: "[${TITLE:-}]"\n'), FILE, {});
  t.equal(config.servers[0]!.title, '[]');
});

t.test('port: ${PORT:-8080} becomes the number 8080, and PORT=9090 the number 9090', async (t) => {
  const text = `listen:\n  port: \${PORT:-8080}\n${server()}`;
  const byDefault = parseConfig(text, FILE, {});
  t.equal(byDefault.listen.port, 8080);
  t.equal(typeof byDefault.listen.port, 'number');
  t.equal(parseConfig(text, FILE, { PORT: '9090' }).listen.port, 9090);
});

t.test('a plain ${VAR} holding true or false becomes a boolean', async (t) => {
  const config = parseConfig(`metrics:\n  enabled: \${METRICS:-true}\nreload:\n  watch: \${WATCH}\n${server()}`, FILE, { WATCH: 'false' });
  t.equal(config.metrics.enabled, true);
  t.equal(config.reload.watch, false);
});

t.test('a quoted ${VAR} stays a string, so a quoted port is a type error', async (t) => {
  const err = catchError(() => parseConfig(`listen:\n  port: "\${PORT:-8080}"\n${server()}`, FILE, {}));
  t.same(err.problems.map((p) => [p.path, p.message]), [['listen.port', 'must be integer']]);
});

t.test('a variable inside a longer string is never turned into a number', async (t) => {
  const config = parseConfig(server('    title: v${VERSION}\n    instructions: ${COUNT}0\n'), FILE, { VERSION: '2', COUNT: '1' });
  t.equal(config.servers[0]!.title, 'v2');
  t.equal(config.servers[0]!.instructions, '10');
});

t.test('$${X} stays a literal ${X} and is not looked up', async (t) => {
  const config = parseConfig(server('    title: "$${X}"\n    instructions: cost $${PRICE:-1} or ${PRICE:-2}\n'), FILE, { X: 'expanded' });
  t.equal(config.servers[0]!.title, '${X}');
  t.equal(config.servers[0]!.instructions, 'cost ${PRICE:-1} or 2');
});

t.test('$${UNSET} is not an error even though UNSET is not set', async (t) => {
  const config = parseConfig(server('    title: $${UNSET}\n'), FILE, {});
  t.equal(config.servers[0]!.title, '${UNSET}');
});

t.test('an unset ${VAR} is an error naming the variable, its line, column and key path', async (t) => {
  const err = catchError(() => parseConfig(`listen:\n  host: \${BIND_HOST}\n${server()}`, FILE, {}));
  t.equal(err.code, 'CONFIG_INVALID');
  t.same(err.problems, [
    {
      file: FILE,
      line: 2,
      column: 9,
      path: 'listen.host',
      message: 'environment variable ${BIND_HOST} is not set (set it, or give a default with ${BIND_HOST:-value})',
    },
  ]);
  t.match(formatError(err), `${FILE}:2:9: listen.host: environment variable \${BIND_HOST} is not set`);
});

t.test('every unset variable is reported at once, inside lists and maps too', async (t) => {
  const text = [
    'listen:',
    '  host: ${A}',
    'servers:',
    '  - spec: ok.yaml',
    '  - spec: ${B}',
    '    upstream:',
    '      baseUrl: "http://${C}:${D:-80}/${E}"',
    '      headers:',
    '        X-Key: ${F}',
    '',
  ].join('\n');
  const err = catchError(() => parseConfig(text, FILE, {}));
  t.same(
    err.problems.map((p) => [p.line, p.column, p.path]),
    [
      [2, 9, 'listen.host'],
      [5, 11, 'servers[1].spec'],
      [7, 16, 'servers[1].upstream.baseUrl'],
      [9, 16, 'servers[1].upstream.headers.X-Key'],
    ],
  );
  t.match(err.problems[2]!.message, 'environment variable ${C}, ${E} is not set');
  t.notMatch(err.problems[2]!.message, '${D}', 'a variable with a default is not reported');
});

t.test('expansion cannot inject YAML structure: a value with a newline and a key stays one string', async (t) => {
  const evil = 'nice\n  evil: 1\nlisten:\n  port: 1';
  const config = parseConfig(`${server('    title: ${TITLE}\n    instructions: "x ${TITLE}"\n')}`, FILE, { TITLE: evil });
  t.equal(config.servers[0]!.title, evil);
  t.equal(config.servers[0]!.instructions, `x ${evil}`);
  t.equal(config.listen.port, 8080, 'listen is untouched');
  t.notOk('evil' in config.servers[0]!, 'no new key appeared');
});

t.test('a value that looks like a YAML mapping or list stays a string', async (t) => {
  const config = parseConfig(server('    title: ${A}\n    instructions: ${B}\n'), FILE, { A: '{ name: x }', B: '[1, 2]' });
  t.equal(config.servers[0]!.title, '{ name: x }');
  t.equal(config.servers[0]!.instructions, '[1, 2]');
});

t.test('a variable value cannot add a variable reference that is expanded again', async (t) => {
  const config = parseConfig(server('    title: ${A}\n'), FILE, { A: '${B}', B: 'second' });
  t.equal(config.servers[0]!.title, '${B}');
});

t.test('a ${VAR} in a key is expanded like any string and stays one key', async (t) => {
  const config = parseConfig(server('    upstream:\n      headers:\n        ${HEADER}: v\n'), FILE, { HEADER: 'X-Real\nX-Evil: 1' });
  t.same(config.servers[0]!.upstream.headers, { 'X-Real\nX-Evil: 1': 'v' });
});

t.test('comments with ${VAR} are ignored', async (t) => {
  const config = parseConfig(`# uses \${NOT_SET} in a comment\n${server()}`, FILE, {});
  t.equal(config.servers.length, 1);
});

t.test('the expanded value is what the schema validates', async (t) => {
  const err = catchError(() => parseConfig(server('    sessions: ${MODE}\n'), FILE, { MODE: 'sticky' }));
  t.same(err.problems.map((p) => [p.line, p.column, p.path, p.message]), [[3, 15, 'servers[0].sessions', 'must be one of: "stateless", "stateful"']]);
});

function catchError(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an error');
}
