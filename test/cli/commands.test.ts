import t from 'tap';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCli } from '../../src/cli/args.js';
import { estimateTokens, runTools, runValidate } from '../../src/cli/commands.js';

// The commands in-process, with an output collector: the detail of what they print, without a Node start-up each.
const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = (name: string) => path.join(root, 'test/fixtures/config', name);

async function run(command: typeof runValidate, argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await command(parseCli(argv), env, (line) => lines.push(...line.split('\n')));
  return { code, lines };
}

t.test('validate prints one line per server and says the file is valid', async (t) => {
  const file = fixture('valid/full.yaml');
  const { code, lines } = await run(runValidate, ['validate', '-c', file]);
  t.equal(code, 0, lines.join('\n'));
  t.same(lines, [
    'pets (/mcp/pets): 2 tools from 3 operations in pets.yaml',
    '  /mcp/pets has no auth: anyone who can reach it can call its tools',
    '  mode: flat (tools.mode auto: the flat tools/list is ≈143 tokens for 2 tools, within tools.budget 20,000)',
    '  schema profiles (tools passing): full 2/2, portable 2/2, gemini 2/2, openai-strict 2/2',
    'clock (/mcp/clock): 1 tools from 1 operations in clock.yaml',
    '  /mcp/clock has no auth: anyone who can reach it can call its tools',
    '  mode: flat (tools.mode auto: the flat tools/list is ≈83 tokens for 1 tools, within tools.budget 20,000)',
    '  schema profiles (tools passing): full 1/1, portable 1/1, gemini 1/1, openai-strict 1/1',
    `${file} is valid`,
  ]);
});

t.test('validate expands ${VAR} from the environment it is given', async (t) => {
  const file = fixture('env/needs-env.yaml');
  const unset = await run(runValidate, ['validate', '-c', file], {});
  t.equal(unset.code, 1);
  t.same(unset.lines.slice(1), [`  - ${file}:6:16: servers[0].upstream.baseUrl: environment variable \${PETS_API_URL} is not set (set it, or give a default with \${PETS_API_URL:-value})`]);

  const set = await run(runValidate, ['validate', '-c', file], { PETS_API_URL: 'http://127.0.0.1:3000' });
  t.equal(set.code, 0, set.lines.join('\n'));
  t.equal(set.lines[0], 'pets (/mcp): 3 tools from 3 operations in pets.yaml');
});

t.test('validate on a YAML syntax error exits 1 and points at the line', async (t) => {
  const file = fixture('broken/syntax.yaml');
  const { code, lines } = await run(runValidate, ['validate', '-c', file]);
  t.equal(code, 1);
  t.equal(lines[0], `${file}: 1 problem`);
  t.match(lines[1], `  - ${file}:4:1: YAML: `);
});

t.test('validate on duplicate server paths and names exits 1 and names both', async (t) => {
  const file = fixture('broken/duplicates.yaml');
  const { code, lines } = await run(runValidate, ['validate', '-c', file]);
  t.equal(code, 1);
  t.same(lines, [
    `${file}: 2 problems`,
    `  - ${file}:7:11: servers[1].path: path /mcp/pets is already used by servers[0]`,
    `  - ${file}:9:11: servers[2].name: name "pets" is already used by servers[0]`,
  ]);
});

t.test('validate on a config whose spec is missing points at the spec key', async (t) => {
  const file = fixture('broken/missing-spec.yaml');
  const { code, lines } = await run(runValidate, ['validate', '-c', file]);
  t.equal(code, 1);
  t.equal(lines[0], `${file}: cannot build the servers`);
  t.match(lines[1], `  - ${file}:3:11: servers[0].spec: cannot read spec ${fixture('specs/does-not-exist.yaml')}`);
});

t.test('validate on a missing config file exits 1 naming it', async (t) => {
  const file = fixture('nope.yaml');
  const { code, lines } = await run(runValidate, ['validate', '-c', file]);
  t.equal(code, 1);
  t.match(lines[0], `cannot read config file ${file}`);
});

t.test('validate of a single spec with --base-url checks it without a config', async (t) => {
  const { code, lines } = await run(runValidate, ['validate', fixture('specs/pets.yaml'), '--base-url', 'http://127.0.0.1:3000']);
  t.equal(code, 0, lines.join('\n'));
  t.equal(lines[0], 'default (/mcp): 3 tools from 3 operations in pets.yaml');
  t.equal(lines.at(-1), 'the command line is valid');
});

t.test('tools lists each server with its tools and annotations', async (t) => {
  const { code, lines } = await run(runTools, ['tools', '-c', fixture('valid/full.yaml')]);
  t.equal(code, 0, lines.join('\n'));
  t.match(lines[0], /^pets \/mcp\/pets: 2 tools, mode flat; tools\/list flat ≈ \d+ tokens \(\d+ bytes\), search mode ≈ [\d,]+ tokens \([\d,]+ bytes\)$/);
  t.match(lines[1], /^ {2}listPets +GET +\/pets +\[readOnly\]$/, 'GET is read-only');
  t.match(lines[2], /^ {2}fetch_pet +GET +\/pets\/\{petId\} +\[readOnly\]$/, 'the override renames and annotates');
  t.match(lines[3], /^clock \/mcp\/clock: 1 tools/);
  t.match(lines[4], /^ {2}getTime +GET +\/time +\[readOnly\]$/);
  t.equal(lines.length, 5);
});

t.test('tools --json gives the definitions a client would see', async (t) => {
  const lines: string[] = [];
  const code = await runTools(parseCli(['tools', '-c', fixture('valid/full.yaml'), '--json']), {}, (l) => lines.push(l));
  t.equal(code, 0);
  t.equal(lines.length, 1, 'one JSON document');
  const servers = JSON.parse(lines[0]!) as { name: string; path: string; tokens: number; tools: { name: string; outputSchema?: unknown }[] }[];
  t.same(servers.map((s) => [s.name, s.path, s.tools.map((x) => x.name)]), [
    ['pets', '/mcp/pets', ['listPets', 'fetch_pet']],
    ['clock', '/mcp/clock', ['getTime']],
  ]);
  t.notOk(servers[0]!.tools.some((x) => x.outputSchema), 'outputSchema: false hides output schemas');
  t.ok(servers[1]!.tools[0]!.outputSchema, 'outputSchema is published by default');
  for (const s of servers) t.equal(s.tokens, estimateTokens(JSON.stringify({ tools: s.tools })));
});

t.test('tools on a broken config exits 1 with the problems', async (t) => {
  const file = fixture('broken/shape.yaml');
  const { code, lines } = await run(runTools, ['tools', '-c', file]);
  t.equal(code, 1);
  t.equal(lines[0], `${file}: 8 problems`);
});

t.test('estimateTokens is about four bytes a token, rounded up', async (t) => {
  t.equal(estimateTokens(''), 0);
  t.equal(estimateTokens('abcd'), 1);
  t.equal(estimateTokens('abcde'), 2);
  t.equal(estimateTokens('x'.repeat(4000)), 1000);
});

t.test('validate names every schema repair it made to a spec’s mistakes as a warning', async (t) => {
  const file = fixture('valid/mistakes.yaml');
  const { code, lines } = await run(runValidate, ['validate', '-c', file]);
  t.equal(code, 0, lines.join('\n'));
  t.same(lines, [
    'mistakes (/mcp): 1 tools from 1 operations in mistakes.yaml',
    '  /mcp has no auth: anyone who can reach it can call its tools',
    '  mode: flat (tools.mode auto: the flat tools/list is ≈99 tokens for 1 tools, within tools.budget 20,000)',
    '  warning: property "kind" has the bare type name "string" as its schema; read as {type: string}',
    '  warning: property "additionalProperties" has false as its schema (a misplaced keyword?), which is not a schema; dropped',
    '  schema profiles (tools passing): full 1/1, portable 1/1, gemini 1/1, openai-strict 1/1',
    `${file} is valid`,
  ]);
});
