import t from 'tap';
import path from 'node:path';
import { cli, repoRoot } from '../helpers/cli.js';

const root = repoRoot;
const fixture = (name: string) => path.join(root, 'test/fixtures/config', name);

// Each run costs a Node start-up: start them all at once, then check each in its own test.
const runs = {
  demo: cli(['validate', '-c', 'config/demo.yaml']),
  broken: cli(['validate', '-c', path.relative(root, fixture('broken/shape.yaml'))]),
  none: cli(['validate'], { MCP_SIDECAR_CONFIG: '/nonexistent/config.yaml' }),
};

t.test('validate -c config/demo.yaml exits 0 and prints the tool count', async (t) => {
  const r = await runs.demo;
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^demo \(\/mcp\): 7 tools from 7 operations in demo-openapi\.yaml$/m);
  t.match(r.stdout, /^  schema profiles \(tools passing\): full 7\/7, portable 7\/7, gemini 7\/7, openai-strict 7\/7$/m);
  t.match(r.stdout, `${path.join(root, 'config/demo.yaml')} is valid`);
});

t.test('validate on a broken config exits 1 and prints every problem with file:line:column', async (t) => {
  const file = fixture('broken/shape.yaml');
  const r = await runs.broken;
  t.equal(r.code, 1);
  t.match(r.stdout, `${file}: 8 problems`);
  const expected = [
    '3:3: listen.prot: unknown key "prot" (did you mean "port"?)',
    '6:10: logging.level: must be one of',
    '8:19: limits.maxRequestBody: invalid value',
    '9:18: limits.shutdownGrace: invalid value',
    '12:15: servers[0].sessions: must be one of: "stateless", "stateful"',
    '15:16: servers[0].upstream.timeout: invalid value',
    '16:23: servers[0].upstream.maxConnections: must be integer',
    '18:5: servers[1].tols: unknown key "tols" (did you mean "tools"?)',
  ];
  for (const line of expected) t.match(r.stdout, `  - ${file}:${line}`);
  t.equal(r.stdout.split('\n').filter((l) => l.startsWith('  - ')).length, expected.length, 'exactly one line per problem');
  t.notMatch(r.stdout, /is valid/);
});

t.test('validate with no config anywhere fails and says how to pass one', async (t) => {
  const r = await runs.none;
  t.equal(r.code, 2);
  t.match(r.stderr, 'no config file at /nonexistent/config.yaml: pass --config <file>');
});
