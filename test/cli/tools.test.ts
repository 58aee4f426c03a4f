import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { USAGE } from '../../src/cli/args.js';
import { cli, repoRoot } from '../helpers/cli.js';

const root = repoRoot;
const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
const DEMO_TOOLS = ['createTask', 'deleteTask', 'getStats', 'getTask', 'getTaskSummary', 'listTasks', 'updateTask'];

// Each run costs a Node start-up: start them all at once, then check each in its own test.
const runs = {
  tools: cli(['tools', '-c', 'config/demo.yaml']),
  json: cli(['tools', '-c', 'config/demo.yaml', '--json']),
  help: cli(['--help']),
  version: cli(['--version']),
  unknownCommand: cli(['frobnicate']),
};

t.test('tools -c config/demo.yaml lists the 7 demo tools, flat under auto, and a token estimate', async (t) => {
  const r = await runs.tools;
  t.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  const header = /^demo \/mcp: 7 tools, mode flat; tools\/list flat ≈ ([\d,]+) tokens \(([\d,]+) bytes\), search mode ≈ [\d,]+ tokens \([\d,]+ bytes\)$/.exec(lines[0] ?? '');
  t.ok(header, `header line: ${lines[0]}`);
  const tokens = Number(header?.[1]?.replace(/,/g, ''));
  const bytes = Number(header?.[2]?.replace(/,/g, ''));
  t.ok(tokens > 100, 'a real estimate');
  t.equal(tokens, Math.ceil(bytes / 4), 'about four bytes a token');
  const rows = lines.slice(1);
  t.equal(rows.length, 7);
  t.same(rows.map((l) => l.trim().split(/\s+/)[0]).sort(), DEMO_TOOLS);
  t.match(r.stdout, /^ {2}getTask +GET +\/tasks\/\{taskId\} +\[readOnly\]$/m);
  t.match(r.stdout, /^ {2}deleteTask +DELETE \/tasks\/\{taskId\} +\[destructive, idempotent\]$/m);
  t.match(r.stdout, /^ {2}createTask +POST +\/tasks$/m);
});

t.test('tools --json prints the tool definitions and the token estimate as JSON', async (t) => {
  const r = await runs.json;
  t.equal(r.code, 0, r.stderr);
  const servers = JSON.parse(r.stdout) as { name: string; path: string; tokens: number; tools: { name: string; inputSchema: { type: string } }[] }[];
  t.equal(servers.length, 1);
  const [demo] = servers;
  t.equal(demo!.name, 'demo');
  t.equal(demo!.path, '/mcp');
  t.same(demo!.tools.map((x) => x.name).sort(), DEMO_TOOLS);
  t.ok(demo!.tools.every((x) => x.inputSchema.type === 'object'), 'every tool has an object inputSchema');
  t.equal(demo!.tokens, Math.ceil(JSON.stringify({ tools: demo!.tools }).length / 4), 'the estimate is over the tools/list JSON');
});

t.test('--help prints the usage to stdout and exits 0', async (t) => {
  const r = await runs.help;
  t.equal(r.code, 0);
  t.equal(r.stdout, USAGE);
  t.equal(r.stderr, '');
});

t.test('--version prints the package version and exits 0', async (t) => {
  const r = await runs.version;
  t.equal(r.code, 0);
  t.equal(r.stdout, `${version}\n`);
});

t.test('an unknown command exits 2 with the usage on stderr', async (t) => {
  const r = await runs.unknownCommand;
  t.equal(r.code, 2);
  t.equal(r.stdout, '');
  t.match(r.stderr, 'unknown command "frobnicate"');
  t.match(r.stderr, 'Usage: mcp-sidecar <command> [options]');
});
